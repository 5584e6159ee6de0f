#pragma once

// A network ready to write: nodes and links with their attributes, styling
// hints and, for i2, evidence cards. The engine fills it after the privacy
// profile has been applied (design/PRIVACY.md); the writers
// (graph/writers.hpp) only format it.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace waymark::graph {

/// An attribute's value: text, integer, real or boolean.
using Value = std::variant<std::string, std::int64_t, double, bool>;

struct AttributeDef {
    enum class Type { text, integer, real, boolean };
    std::string key;   ///< identifier-like: "betweenness", "first_date"
    std::string title; ///< for people: "Betweenness"
    Type type = Type::text;
};

struct Colour {
    std::uint8_t r = 0, g = 0, b = 0;
};

struct DocNode {
    std::string id; ///< unique in the document
    std::string label;
    std::string type; ///< "child", "adult", "unidentified", "place", "vehicle"
    /// i2 icon name from the analysts' icon library; i2's standard set has
    /// "Person", "Woman", "Girl", "Boy", "Child", "Person (Faceless)",
    /// "Place", "House", "Building", "Car", "Van" (not "Female", "Male" or
    /// "Location"). Empty: the writer's default for the type
    /// (docs/formats-network.md).
    std::string icon;
    Colour colour;
    double size = 1.0;
    /// One per node attribute of the document, in order; nullopt: no value.
    std::vector<std::optional<Value>> values;
};

/// A piece of evidence behind a link: an i2 card.
struct Card {
    std::string summary;          ///< "RHI: with during episode E-12"
    std::string date;             ///< ISO 8601 date or date-time (UTC, with Z) or empty
    std::string source_reference; ///< the record's id: "R-1", "I-4", "E-12"
    std::string source_type;      ///< "Return Home Interview", "CPI form", "Police record"
    /// The UK 3×5×2 grading: source evaluation ("1".."3"), intelligence
    /// assessment ("A".."E"), handling ("P", "C"); empty when not graded.
    std::string grade_source, grade_intelligence, grade_handling;
};

struct DocEdge {
    std::string id;
    std::string source; ///< a node id
    std::string target; ///< a node id
    std::string type;   ///< "went_missing_with", "co_missing", ..., "possible_match"
    std::string label;
    double weight = 1.0;
    /// i2 link strength: "confirmed", "unconfirmed" or "tentative".
    std::string strength = "confirmed";
    Colour colour;
    std::vector<std::optional<Value>> values; ///< one per edge attribute, in order
    std::vector<Card> cards;
};

struct GraphDocument {
    std::string title;
    std::string description;
    std::string creator;      ///< "Waymark 0.1.0"
    std::string generated_at; ///< UTC, ISO 8601
    /// Shown with the chart: profile, data window, parameters.
    std::vector<std::pair<std::string, std::string>> metadata;
    std::vector<AttributeDef> node_attributes;
    std::vector<AttributeDef> edge_attributes;
    std::vector<DocNode> nodes;
    std::vector<DocEdge> edges; ///< undirected
};

} // namespace waymark::graph
