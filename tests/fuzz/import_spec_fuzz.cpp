// libFuzzer target for import specifications: parse_import_spec against the
// columns of every kind; a spec that passes must give a date-time parser and
// value rules that work, as an import then uses them.

#include "engine/model/columns.hpp"
#include "importers/spec.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace waymark;
    const std::string_view text = fuzz::as_text(data, size);
    const std::pair<std::string_view, std::span<const std::string_view>> kinds[] = {
        {"episodes", model::episode_columns},
        {"rhi", model::rhi_fields},
        {"cpi", model::cpi_fields},
        {"persons", model::person_columns},
        {"gazetteer", model::gazetteer_columns}};
    for (const auto& [kind, columns] : kinds) {
        try {
            const importers::ImportSpec spec =
                importers::parse_import_spec(text, "fuzz.json", columns, kind);
            fuzz::check(spec.kind == kind);
            const importers::DateTimeParser times(date::locate_zone("Europe/London"),
                                                  spec.datetime_formats);
            for (const std::string_view sample : {"2024-03-31 01:30", "31/03/2024 01:30"}) {
                try {
                    times.parse(sample);
                } catch (const InputError&) {
                }
            }
            for (const std::string_view column : columns) {
                (void)importers::source_name(&spec, column);
                (void)importers::value_rules(&spec, column).apply(" x ");
            }
        } catch (const InputError&) {
            // a spec the import refuses, with this message
        }
    }
    return 0;
}
