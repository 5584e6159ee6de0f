#include "geo/gdal.hpp"

#include "base/error.hpp"

#include <cpl_error.h>

#include <iostream>
#include <mutex>

namespace waymark::gdal {
namespace {

thread_local std::string t_last_error;

std::mutex& sink_mutex() {
    static std::mutex mutex;
    return mutex;
}

void default_sink(std::string_view message) {
    std::cerr << "warning: GDAL: " << message << '\n';
}

std::function<void(std::string_view)>& warning_sink() {
    static std::function<void(std::string_view)> sink = default_sink;
    return sink;
}

// GDAL calls this for every message. Failures are kept for the call that
// failed to throw; warnings go to the sink; debug chatter is dropped.
void CPL_STDCALL route_error(CPLErr level, CPLErrorNum /*number*/, const char* message) {
    const std::string_view text = message ? message : "";
    if (level == CE_Failure || level == CE_Fatal) {
        t_last_error = text;
    } else if (level == CE_Warning) {
        const std::lock_guard lock(sink_mutex());
        warning_sink()(text);
    }
}

// "<what>: <GDAL's message>", or just "<what>" when GDAL said nothing.
std::string with_gdal_message(std::string what) {
    const std::string gdal_message = last_error();
    if (!gdal_message.empty()) {
        what += ": ";
        what += gdal_message;
    }
    return what;
}

} // namespace

void initialise() {
    static std::once_flag once;
    std::call_once(once, [] {
        CPLSetErrorHandler(route_error);
        GDALAllRegister();
    });
}

void set_warning_sink(std::function<void(std::string_view)> sink) {
    const std::lock_guard lock(sink_mutex());
    // An empty sink would throw std::bad_function_call out of GDAL's C
    // callback; it restores the default instead.
    warning_sink() = sink ? std::move(sink) : default_sink;
}

std::string last_error() {
    return t_last_error;
}

void reset_error() {
    t_last_error.clear();
    CPLErrorReset();
}

// ---- SpatialReference ------------------------------------------------------

SpatialReference SpatialReference::from_epsg(int code) {
    initialise();
    reset_error();
    OGRSpatialReferenceH handle = OSRNewSpatialReference(nullptr);
    if (handle == nullptr) {
        throw GeometryError("creating a spatial reference: out of memory");
    }
    SpatialReference srs(handle);
    if (OSRImportFromEPSG(handle, code) != OGRERR_NONE) {
        throw InputError(with_gdal_message("unknown CRS EPSG:" + std::to_string(code)));
    }
    OSRSetAxisMappingStrategy(handle, OAMS_TRADITIONAL_GIS_ORDER);
    return srs;
}

SpatialReference::SpatialReference(SpatialReference&& other) noexcept
    : m_handle(std::exchange(other.m_handle, nullptr)) {}

SpatialReference& SpatialReference::operator=(SpatialReference&& other) noexcept {
    if (this != &other) {
        if (m_handle != nullptr) {
            OSRRelease(m_handle);
        }
        m_handle = std::exchange(other.m_handle, nullptr);
    }
    return *this;
}

SpatialReference::~SpatialReference() {
    if (m_handle != nullptr) {
        OSRRelease(m_handle);
    }
}

bool SpatialReference::is_projected() const {
    return OSRIsProjected(m_handle) != 0;
}

bool SpatialReference::is_geographic() const {
    return OSRIsGeographic(m_handle) != 0;
}

std::string SpatialReference::name() const {
    const char* name = OSRGetName(m_handle);
    return name ? name : "";
}

int SpatialReference::epsg() const {
    const char* authority = OSRGetAuthorityName(m_handle, nullptr);
    const char* code = OSRGetAuthorityCode(m_handle, nullptr);
    if (authority == nullptr || code == nullptr || std::string_view(authority) != "EPSG") {
        return 0;
    }
    return std::stoi(code);
}

double SpatialReference::metres_per_unit() const {
    if (!is_projected()) {
        return 0.0;
    }
    return OSRGetLinearUnits(m_handle, nullptr);
}

// ---- CoordinateTransformation ----------------------------------------------

CoordinateTransformation::CoordinateTransformation(const SpatialReference& from,
                                                   const SpatialReference& to) {
    reset_error();
    m_handle = OCTNewCoordinateTransformation(from.get(), to.get());
    if (m_handle == nullptr) {
        throw GeometryError(
            with_gdal_message("no transformation from " + from.name() + " to " + to.name()));
    }
}

CoordinateTransformation::CoordinateTransformation(CoordinateTransformation&& other) noexcept
    : m_handle(std::exchange(other.m_handle, nullptr)) {}

CoordinateTransformation&
CoordinateTransformation::operator=(CoordinateTransformation&& other) noexcept {
    if (this != &other) {
        if (m_handle != nullptr) {
            OCTDestroyCoordinateTransformation(m_handle);
        }
        m_handle = std::exchange(other.m_handle, nullptr);
    }
    return *this;
}

CoordinateTransformation::~CoordinateTransformation() {
    if (m_handle != nullptr) {
        OCTDestroyCoordinateTransformation(m_handle);
    }
}

void CoordinateTransformation::transform(double& x, double& y) const {
    reset_error();
    int success = 0;
    if (!OCTTransformEx(m_handle, 1, &x, &y, nullptr, &success) || !success) {
        throw GeometryError(with_gdal_message("cannot transform point (" + std::to_string(x) +
                                              ", " + std::to_string(y) + ")"));
    }
}

// ---- Feature ----------------------------------------------------------------

Feature::Feature(OGRLayerH layer) : m_handle(OGR_F_Create(OGR_L_GetLayerDefn(layer))) {
    if (m_handle == nullptr) {
        throw IoError("creating a feature: out of memory");
    }
}

Feature Feature::adopt(OGRFeatureH handle) noexcept {
    Feature feature;
    feature.m_handle = handle;
    return feature;
}

Feature::Feature(Feature&& other) noexcept : m_handle(std::exchange(other.m_handle, nullptr)) {}

Feature& Feature::operator=(Feature&& other) noexcept {
    if (this != &other) {
        if (m_handle != nullptr) {
            OGR_F_Destroy(m_handle);
        }
        m_handle = std::exchange(other.m_handle, nullptr);
    }
    return *this;
}

Feature::~Feature() {
    if (m_handle != nullptr) {
        OGR_F_Destroy(m_handle);
    }
}

// ---- Dataset ----------------------------------------------------------------

Dataset Dataset::open(const std::string& path, unsigned flags) {
    initialise();
    reset_error();
    // Without GDAL_OF_VERBOSE_ERROR, GDALOpenEx fails silently and the error
    // would lack GDAL's own message (e.g. "No such file or directory").
    GDALDatasetH handle =
        GDALOpenEx(path.c_str(), flags | GDAL_OF_VERBOSE_ERROR, nullptr, nullptr, nullptr);
    if (handle == nullptr) {
        throw IoError(with_gdal_message("cannot open dataset " + path));
    }
    return Dataset(handle, path);
}

Dataset Dataset::create_vector(const std::string& driver_name, const std::string& path) {
    initialise();
    reset_error();
    GDALDriverH driver = GDALGetDriverByName(driver_name.c_str());
    if (driver == nullptr) {
        throw IoError("creating " + path + ": GDAL has no driver '" + driver_name + "'");
    }
    GDALDatasetH handle = GDALCreate(driver, path.c_str(), 0, 0, 0, GDT_Unknown, nullptr);
    if (handle == nullptr) {
        throw IoError(with_gdal_message("cannot create " + driver_name + " dataset " + path));
    }
    return Dataset(handle, path);
}

Dataset Dataset::create_raster(const std::string& driver_name, const std::string& path, int width,
                               int height, int bands, GDALDataType type,
                               const std::vector<std::string>& options) {
    initialise();
    reset_error();
    GDALDriverH driver = GDALGetDriverByName(driver_name.c_str());
    if (driver == nullptr) {
        throw IoError("creating " + path + ": GDAL has no driver '" + driver_name + "'");
    }
    // GDAL takes a null-terminated array of C strings that it does not keep.
    std::vector<char*> option_list;
    for (const std::string& option : options) {
        option_list.push_back(const_cast<char*>(option.c_str()));
    }
    option_list.push_back(nullptr);
    GDALDatasetH handle =
        GDALCreate(driver, path.c_str(), width, height, bands, type, option_list.data());
    if (handle == nullptr) {
        throw IoError(with_gdal_message("cannot create " + driver_name + " dataset " + path));
    }
    return Dataset(handle, path);
}

Dataset::Dataset(Dataset&& other) noexcept
    : m_handle(std::exchange(other.m_handle, nullptr)), m_path(std::move(other.m_path)) {}

Dataset& Dataset::operator=(Dataset&& other) noexcept {
    if (this != &other) {
        if (m_handle != nullptr) {
            GDALClose(m_handle);
        }
        m_handle = std::exchange(other.m_handle, nullptr);
        m_path = std::move(other.m_path);
    }
    return *this;
}

Dataset::~Dataset() {
    if (m_handle != nullptr) {
        GDALClose(m_handle);
    }
}

void Dataset::close() {
    if (m_handle == nullptr) {
        return;
    }
    reset_error();
    // GDAL 3.6's GDALClose returns nothing: a failure to write is only visible
    // as an error raised while closing.
    GDALClose(std::exchange(m_handle, nullptr));
    if (!last_error().empty()) {
        throw IoError(with_gdal_message("closing " + m_path));
    }
}

int Dataset::layer_count() const {
    return GDALDatasetGetLayerCount(m_handle);
}

OGRLayerH Dataset::layer(int index) const {
    OGRLayerH layer = GDALDatasetGetLayer(m_handle, index);
    if (layer == nullptr) {
        throw IoError(m_path + ": no layer number " + std::to_string(index));
    }
    return layer;
}

OGRLayerH Dataset::create_layer(const std::string& name, const SpatialReference* srs,
                                OGRwkbGeometryType type, const std::vector<std::string>& options) {
    reset_error();
    std::vector<const char*> list;
    for (const std::string& option : options) {
        list.push_back(option.c_str());
    }
    list.push_back(nullptr);
    OGRLayerH layer =
        GDALDatasetCreateLayer(m_handle, name.c_str(), srs != nullptr ? srs->get() : nullptr, type,
                               const_cast<char**>(list.data()));
    if (layer == nullptr) {
        throw IoError(with_gdal_message("cannot create layer '" + name + "' in " + m_path));
    }
    return layer;
}

} // namespace waymark::gdal
