#pragma once

// Graph file writers: GEXF 1.3 (Gephi), GraphML, i2 Analyst's Notebook ANX,
// and CSV node and edge lists. Every string is escaped for its format; XML
// gets no control characters (they are replaced), CSV cells that a
// spreadsheet would run as a formula are quoted with a leading apostrophe.
// Each throws InputError for a document that cannot be written (an edge to a
// node that is not in it, a duplicate id, values not matching the attribute
// list) and IoError when the stream fails.

#include "graph/document.hpp"

#include <ostream>

namespace waymark::graph {

/// GEXF 1.3 with attributes (attvalues) and viz colours and sizes.
void write_gexf(const GraphDocument& document, std::ostream& out);
/// GraphML with typed keys for every attribute.
void write_graphml(const GraphDocument& document, std::ostream& out);
/// i2 ANX: Chart → ChartItemCollection → ChartItem (End/Entity with icons,
/// Link with LinkStyle and a CardCollection whose cards carry the source
/// reference, date and the three grades, indexing GradeOne/GradeTwo/
/// GradeThree string collections), attributes as AttributeClass/Attribute.
void write_anx(const GraphDocument& document, std::ostream& out);
/// CSV (RFC 4180): nodes `id,label,type,<attributes>`; edges
/// `id,source,target,type,weight,strength,<attributes>`.
void write_csv_nodes(const GraphDocument& document, std::ostream& out);
void write_csv_edges(const GraphDocument& document, std::ostream& out);

} // namespace waymark::graph
