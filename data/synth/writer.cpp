#include "data/synth/writer.hpp"

#include "base/error.hpp"
#include "data/canonical/writers.hpp"
#include "data/synth/dirty.hpp"
#include "data/synth/random.hpp"
#include "data/synth/records.hpp"
#include "data/synth/truth.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>

namespace waymark::synth {
namespace {

namespace fs = std::filesystem;
namespace m = waymark::model;

// A file being written: opened with a large buffer, checked when closed.
class OutputFile {
public:
    explicit OutputFile(const fs::path& path) : m_path(path) {
        m_buffer.resize(1 << 20);
        m_stream.rdbuf()->pubsetbuf(m_buffer.data(), static_cast<std::streamsize>(m_buffer.size()));
        m_stream.open(path, std::ios::binary | std::ios::trunc);
        if (!m_stream) {
            throw IoError("cannot write " + path.string() + ": " + std::strerror(errno));
        }
    }
    std::ostream& stream() { return m_stream; }
    void close() {
        m_stream.close();
        if (!m_stream) {
            throw IoError("writing " + m_path.string() + " failed: " + std::strerror(errno));
        }
    }

private:
    fs::path m_path;
    std::vector<char> m_buffer;
    std::ofstream m_stream;
};

void report(const Progress& progress, std::string_view stage, double fraction) {
    if (progress) {
        progress(stage, fraction);
    }
}

} // namespace

m::Episode to_episode(const World& world, const EpisodeSpec& spec) {
    return to_episode(world, spec, ExportLayout::canonical);
}

m::Episode to_episode(const World& world, const EpisodeSpec& spec, ExportLayout layout) {
    const Child& child = world.children[static_cast<std::size_t>(spec.child)];
    m::Episode e;
    e.episode_id = spec.id;
    e.child_id = child.id;
    e.reported_at = spec.reported;
    e.last_seen_at = spec.last_seen;
    e.returned_at = spec.returned;
    // Police records give a date of birth; some give only the age.
    const std::uint64_t salt = stable_hash(spec.id);
    // Neither export layout has an age column: their systems hold the date of
    // birth, and with --as so does the canonical file.
    if (salt % 5 == 0 && layout == ExportLayout::canonical) {
        const auto age = std::chrono::floor<std::chrono::years>(
            std::chrono::floor<std::chrono::days>(spec.reported) - child.dob);
        e.age = static_cast<int>(age.count());
    } else {
        e.date_of_birth = child.dob;
    }
    e.sex = child.sex;
    e.category = m::EpisodeCategory::missing;
    e.setting = child.setting;
    e.looked_after = child.looked_after;
    e.placement_area = child.placement_area;
    e.responsible_authority = child.looked_after ? child.responsible_authority : "";
    e.risk_grade = spec.risk;
    e.police_ref = spec.police_ref;
    // A location is given only in ways the layout has columns for, so that the
    // canonical file and the export give the importer the same text.
    const auto& from = world.places[static_cast<std::size_t>(spec.from)];
    e.from = location_of(world, spec.from, carried_style(layout, false, from, spec.from_style),
                         25.0, salt);
    if (spec.found >= 0) {
        const auto& found = world.places[static_cast<std::size_t>(spec.found)];
        e.found = location_of(world, spec.found,
                              carried_style(layout, true, found, spec.found_style), 25.0, salt + 1);
    }
    e.returned_by = spec.returned_by;
    if (spec.record_missing_with) {
        for (const int other : spec.companions) {
            e.missing_with.push_back(world.children[static_cast<std::size_t>(other)].id);
        }
    }
    e.safe_and_well = spec.safe_and_well;
    e.cse = spec.cse;
    e.cce = spec.cce;
    if (child.trafficked) {
        e.trafficking = true;
    }
    if (child.uasc) {
        e.uasc = true;
    }
    return e;
}

m::GazetteerEntry to_gazetteer_entry(const Place& place) {
    m::GazetteerEntry entry;
    entry.key = place.key;
    entry.key_type = place.key_type;
    entry.x = place.x;
    entry.y = place.y;
    entry.crs = m::british_national_grid;
    entry.label = place.label;
    if (place.key_type != m::GazetteerKeyType::postcode) {
        entry.place_type = place.type;
        entry.restricted = place.restricted;
    }
    return entry;
}

m::Person to_person(const Child& child) {
    m::Person person;
    person.person_id = child.id;
    person.kind = m::PersonKind::child;
    person.name = child.given + " " + child.family;
    if (child.nickname != child.given) {
        person.aliases.push_back(child.nickname);
    }
    person.date_of_birth = child.dob;
    person.sex = child.sex;
    return person;
}

m::Person to_person(const Adult& adult) {
    m::Person person;
    person.person_id = adult.id;
    person.kind = m::PersonKind::adult;
    person.name = adult.given + " " + adult.family;
    person.aliases = adult.aliases;
    person.date_of_birth = adult.dob;
    person.sex = adult.sex;
    return person;
}

WriteSummary write_world(const World& world, const fs::path& out, const Progress& progress) {
    return write_world(world, out, ExportLayout::canonical, progress);
}

WriteSummary write_world(const World& world, const fs::path& out, ExportLayout layout,
                         const Progress& progress) {
    std::error_code error;
    fs::create_directories(out, error);
    if (error) {
        throw IoError("cannot create " + out.string() + ": " + error.message());
    }
    WriteSummary summary;
    TruthBuilder truth(world);

    {
        OutputFile file(out / "gazetteer.csv");
        canonical::GazetteerCsvWriter writer(file.stream());
        writer.header();
        for (const Place& place : world.places) {
            writer.write(to_gazetteer_entry(place));
        }
        file.close();
        summary.places = static_cast<std::int64_t>(world.places.size());
    }
    {
        // The person index holds the children who went missing and the adults
        // known to the police (planted and others).
        std::vector<bool> missing(world.children.size(), false);
        for (const EpisodeSpec& e : world.episodes) {
            missing[static_cast<std::size_t>(e.child)] = true;
        }
        OutputFile file(out / "persons.csv");
        canonical::PersonsCsvWriter writer(file.stream());
        writer.header();
        for (std::size_t i = 0; i < world.children.size(); ++i) {
            if (missing[i]) {
                writer.write(to_person(world.children[i]));
                ++summary.persons;
            }
        }
        for (const Adult& adult : world.adults) {
            m::Person person = to_person(adult);
            if (adult.of_concern) {
                person.flags.emplace_back("adult_of_concern");
            }
            writer.write(person);
            ++summary.persons;
        }
        file.close();
    }
    {
        OutputFile episodes_file(out / "episodes.csv");
        OutputFile rhi_file(out / "rhi.jsonl");
        canonical::EpisodesCsvWriter episodes(episodes_file.stream(), world.zone);
        canonical::RhiJsonlWriter rhis(rhi_file.stream(), world.zone);
        episodes.header();
        // The same episodes in a source system's layout, with --as.
        std::optional<OutputFile> variant_file;
        std::optional<EpisodeExportWriter> variant;
        if (layout != ExportLayout::canonical) {
            variant_file.emplace(out / export_layout_spec(layout).file_name);
            variant.emplace(variant_file->stream(), layout, world.zone);
            variant->header();
        }
        const std::size_t total = world.episodes.size();
        const std::size_t step = std::max<std::size_t>(1, total / 200);
        for (std::size_t i = 0; i < total; ++i) {
            const m::Episode episode = to_episode(world, world.episodes[i], layout);
            episodes.write(episode);
            if (variant) {
                variant->write(episode);
                ++summary.variant_episodes;
            }
            MentionTruths mentions;
            const auto rhi = make_rhi(world, i, &mentions);
            truth.add_mentions(std::move(mentions));
            if (rhi) {
                rhis.write(*rhi);
                ++summary.rhis;
            }
            truth.add_episode(i, rhi ? &*rhi : nullptr);
            if (i % step == 0) {
                report(progress, "episodes and RHIs",
                       static_cast<double>(i) / static_cast<double>(total));
            }
        }
        report(progress, "episodes and RHIs", 1.0);
        episodes_file.close();
        rhi_file.close();
        if (variant) {
            variant_file->close();
            summary.variant_replaced_characters = variant->replaced_characters();
            summary.variant_ambiguous_times = variant->ambiguous_times();
        }
        summary.episodes = static_cast<std::int64_t>(total);
    }
    {
        OutputFile file(out / "cpi.jsonl");
        canonical::CpiJsonlWriter writer(file.stream(), world.zone);
        MentionTruths mentions;
        const auto cpis = make_cpis(world, &mentions);
        truth.add_mentions(std::move(mentions));
        for (const m::CpiReport& cpi : cpis) {
            writer.write(cpi);
        }
        file.close();
        summary.cpis = static_cast<std::int64_t>(cpis.size());
    }
    if (world.params.dirty) {
        report(progress, "dirty files", 0.0);
        const auto defects = write_dirty_files(world, out / "dirty");
        truth.add_dirty(defects);
        summary.dirty_defects = static_cast<std::int64_t>(defects.size());
        report(progress, "dirty files", 1.0);
    }
    {
        OutputFile file(out / "truth.json");
        truth.write(file.stream());
        file.close();
    }
    return summary;
}

} // namespace waymark::synth
