#!/usr/bin/python3
"""Checks that an ANX file has the structure of i2 Analyst's Notebook's chart
schema, and dumps what it holds.

Used by tests/graph/writers_test.cpp. We have no Analyst's Notebook to open
the file, so this checks what can be checked without it (docs/formats-network.md
says where the rules come from):

- the file is well-formed XML (expat, via xml.etree);
- Chart's children are known elements in the schema's order, each at most once;
- Chart -> ChartItemCollection -> ChartItem, each ChartItem holding exactly one
  End (with one Entity) or one Link first, then AttributeCollection, CIStyle,
  PropertyBagCollection, TimeZone in that order;
- Entity: a representation (Icon -> IconStyle), then DatabaseKeyCollection,
  CardCollection; Link: DatabaseKeyCollection, CardCollection,
  CornerCollection, then exactly one LinkStyle (so LinkStyle comes after the
  CardCollection);
- every Id is an NCName and unique in the file (they are xs:ID), every
  ...Reference names an Id of the right element;
- IconStyle/@Type names an EntityType, LinkStyle/@Type a LinkType,
  LinkStyle/@Strength a Strength;
- End1Id/End2Id name existing Entity/@EntityId values (and differ);
- GradeOneIndex/GradeTwoIndex/GradeThreeIndex on cards and chart items are
  integers indexing the GradeOne/GradeTwo/GradeThree string collections;
- card dates are xs:dateTime without zone; a card's TimeZone only with a time;
- attribute values parse as their class's type (AttNumber, AttFlag, AttText).

    writers_anx_check.py FILE.anx --out FILE.json

Exits 1 with one line per problem on stderr when the structure is wrong.
"""

import argparse
import json
import re
import sys
import xml.etree.ElementTree as ET

# Chart's children in the order of the chart schema (SchemaVersion 7.0.0.1);
# see docs/formats-network.md for the source.
CHART_ORDER = [
    "ApplicationVersion",
    "{http://www.i2group.com/Schemas/2001-12-07/LCXSchema}LibraryCatalogue",
    "PropertyBagCollection",
    "CustomImageCollection",
    "GradeOne",
    "GradeTwo",
    "GradeThree",
    "SourceHints",
    "StrengthCollection",
    "AttributeClassCollection",
    "EntityTypeCollection",
    "LinkTypeCollection",
    "Font",
    "DatabaseProxyCollection",
    "DateTimeFormatCollection",
    "CurrentStyleCollection",
    "TimeZone",
    "TimeBar",
    "PrintSettings",
    "Summary",
    "ChartItemCollection",
    "ConnectionCollection",
    "JunctionCollection",
    "GroupCollection",
    "PaletteCollection",
    "PaletteBarCollection",
    "LegendDefinition",
    "SnapshotCollection",
]
CHART_ITEM_ORDER = [
    "End|Link", "AttributeCollection", "CIStyle", "PropertyBagCollection", "TimeZone"
]
REPRESENTATIONS = {"Box", "Circle", "Event", "Icon", "OleItem", "TextBlock", "Theme"}
ENTITY_ORDER = ["representation", "DatabaseKeyCollection", "CardCollection"]
LINK_ORDER = ["DatabaseKeyCollection", "CardCollection", "CornerCollection", "LinkStyle"]
GRADES = ["GradeOne", "GradeTwo", "GradeThree"]
NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$")


class Checker:
    def __init__(self, root):
        self.root = root
        self.problems = []

    def problem(self, text):
        self.problems.append(text)

    def in_order(self, children, order, where, classify=lambda tag: tag):
        """Children appear in `order` (a list of slot names), each slot at most once."""
        last = -1
        seen = set()
        for child in children:
            slot = classify(child.tag)
            if slot not in order:
                self.problem(f"{where}: unexpected element <{child.tag}>")
                continue
            index = order.index(slot)
            if slot in seen:
                self.problem(f"{where}: <{child.tag}> appears more than once")
            if index < last:
                self.problem(
                    f"{where}: <{child.tag}> comes after <{order[last]}>, the schema has it before"
                )
            seen.add(slot)
            last = max(last, index)
        return seen

    def run(self):
        root = self.root
        if root.tag != "Chart":
            self.problem(f"the root element is <{root.tag}>, not <Chart>")
            return None
        self.in_order(list(root), CHART_ORDER, "Chart")
        result = {"chart_children": [child.tag for child in root]}

        # Ids are xs:ID: NCNames, unique in the document.
        ids = {}
        for element in root.iter():
            value = element.get("Id")
            if value is None:
                continue
            if not NCNAME.match(value):
                self.problem(f"<{element.tag}> Id {value!r} is not an NCName")
            if value in ids:
                self.problem(f"Id {value!r} is used twice")
            ids[value] = element

        def reference(element, attribute, tag):
            value = element.get(attribute)
            if value is None:
                return None
            target = ids.get(value)
            if target is None or target.tag != tag:
                self.problem(f"<{element.tag}> {attribute}={value!r} names no <{tag}>")
                return None
            return target

        grades = {}
        for name in GRADES:
            element = root.find(name)
            strings = [] if element is None else element.findall("StringCollection/String")
            grades[name] = [s.get("Text") for s in strings]
        result["grades"] = grades
        hints = root.findall("SourceHints/StringCollection/String")
        result["source_hints"] = [s.get("Text") for s in hints]
        strengths = [s.get("Name") for s in root.findall("StrengthCollection/Strength")]
        result["strengths"] = strengths
        classes = {}
        for element in root.findall("AttributeClassCollection/AttributeClass"):
            kind = element.get("Type")
            if kind not in ("AttText", "AttNumber", "AttFlag", "AttTime"):
                self.problem(f"attribute class {element.get('Name')!r} has type {kind!r}")
            if element.get("Name") in [c["name"] for c in classes.values()]:
                self.problem(f"two attribute classes are named {element.get('Name')!r}")
            classes[element.get("Id")] = {"name": element.get("Name"), "type": kind}
        result["attribute_classes"] = list(classes.values())
        entity_types = {e.get("Name"): e for e in root.findall("EntityTypeCollection/EntityType")}
        link_types = {e.get("Name"): e for e in root.findall("LinkTypeCollection/LinkType")}
        result["entity_types"] = {name: e.get("IconFile") for name, e in entity_types.items()}
        result["link_types"] = {name: e.get("Colour") for name, e in link_types.items()}
        fields = root.findall("Summary/FieldCollection/Field")
        properties = root.findall("Summary/CustomPropertyCollection/CustomProperty")
        result["summary"] = {
            "fields": {f.get("Type"): f.get("Field") for f in fields},
            "properties": {p.get("Name"): p.get("Value") for p in properties},
        }

        def grade_indexes(element, where):
            texts = []
            for name in GRADES:
                value = element.get(name + "Index")
                if value is None:
                    texts.append(None)
                    continue
                if not re.fullmatch(r"\d+", value) or int(value) >= len(grades[name]):
                    self.problem(
                        f"{where}: {name}Index={value!r} does not index the "
                        f"{len(grades[name])} strings of {name}"
                    )
                    texts.append(None)
                    continue
                texts.append(grades[name][int(value)])
            return texts

        def attributes(item, where):
            values = {}
            for attribute in item.findall("AttributeCollection/Attribute"):
                target = reference(attribute, "AttributeClassReference", "AttributeClass")
                if target is None:
                    self.problem(f"{where}: an attribute has no valid AttributeClassReference")
                    continue
                name = attribute.get("AttributeClass")
                if name != target.get("Name"):
                    self.problem(
                        f"{where}: attribute class {name!r} does not match its reference "
                        f"({target.get('Name')!r})"
                    )
                value = attribute.get("Value")
                kind = target.get("Type")
                if kind == "AttNumber":
                    try:
                        float(value)
                    except (TypeError, ValueError):
                        self.problem(f"{where}: {name!r} = {value!r} is not a number")
                elif kind == "AttFlag" and value not in ("true", "false"):
                    self.problem(f"{where}: {name!r} = {value!r} is not true or false")
                values[name] = value
            return values

        def cards(parent, where):
            out = []
            for number, card in enumerate(parent.findall("CardCollection/Card"), 1):
                at = f"{where}, card {number}"
                if any(child.tag != "TimeZone" for child in card):
                    self.problem(f"{at}: only TimeZone may be inside a Card")
                date_set = card.get("DateSet") == "true"
                time_set = card.get("TimeSet") == "true"
                when = card.get("DateTime")
                if date_set and (when is None or not DATETIME.match(when)):
                    self.problem(f"{at}: DateTime {when!r} is not an xs:dateTime without zone")
                if time_set and not date_set:
                    self.problem(f"{at}: TimeSet without DateSet")
                zone = card.find("TimeZone")
                if zone is not None and not time_set:
                    self.problem(f"{at}: a TimeZone on a card without a time")
                out.append({
                    "summary": card.get("Summary"),
                    "date_set": date_set,
                    "time_set": time_set,
                    "date_time": when,
                    "time_zone": None if zone is None else zone.get("UniqueID"),
                    "source_reference": card.get("SourceReference"),
                    "source_type": card.get("SourceType"),
                    "grades": grade_indexes(card, at),
                })
            return out

        collection = root.find("ChartItemCollection")
        if collection is None:
            self.problem("Chart has no ChartItemCollection")
            return result
        entities = []
        links = []
        entity_ids = {}
        for number, item in enumerate(collection, 1):
            where = f"chart item {number}"
            if item.tag != "ChartItem":
                self.problem(f"{where}: <{item.tag}> in ChartItemCollection")
                continue
            children = list(item)
            self.in_order(children, CHART_ITEM_ORDER, where,
                          lambda tag: "End|Link" if tag in ("End", "Link") else tag)
            ends = [c for c in children if c.tag in ("End", "Link")]
            if len(ends) != 1 or children[0] is not ends[0]:
                self.problem(f"{where}: a ChartItem starts with exactly one End or Link")
                continue
            grade_indexes(item, where)
            if ends[0].tag == "End":
                entity = ends[0].findall("Entity")
                if len(entity) != 1 or len(ends[0]) != 1:
                    self.problem(f"{where}: an End holds exactly one Entity")
                    continue
                entity = entity[0]
                self.in_order(list(entity), ENTITY_ORDER, where,
                              lambda tag: "representation" if tag in REPRESENTATIONS else tag)
                entity_id = entity.get("EntityId")
                if not entity_id:
                    self.problem(f"{where}: an Entity without EntityId")
                elif entity_id in entity_ids:
                    self.problem(f"{where}: EntityId {entity_id!r} is used twice")
                entity_ids[entity_id] = entity.get("Identity")
                style = entity.find("Icon/IconStyle")
                if style is None or len(entity.findall("Icon")) != 1:
                    self.problem(f"{where}: the Entity has no Icon with an IconStyle")
                    continue
                kind = style.get("Type")
                if kind not in entity_types:
                    self.problem(f"{where}: IconStyle Type {kind!r} is not an EntityType")
                target = reference(style, "EntityTypeReference", "EntityType")
                if target is not None and target.get("Name") != kind:
                    self.problem(
                        f"{where}: EntityTypeReference names {target.get('Name')!r}, "
                        f"Type says {kind!r}"
                    )
                entities.append({
                    "identity": entity.get("Identity"),
                    "entity_id": entity_id,
                    "label": item.get("Label"),
                    "label_is_identity": entity.get("LabelIsIdentity"),
                    "type": kind,
                    "icon": (
                        style.get("TypeIconName") if style.get("OverrideTypeIcon") == "true" else None
                    ),
                    "attributes": attributes(item, where),
                    "cards": cards(entity, where),
                })
            else:
                link = ends[0]
                self.in_order(list(link), LINK_ORDER, where)
                styles = link.findall("LinkStyle")
                if len(styles) != 1:
                    self.problem(f"{where}: a Link holds exactly one LinkStyle")
                    continue
                style = styles[0]
                if style.get("Type") not in link_types:
                    self.problem(f"{where}: LinkStyle Type {style.get('Type')!r} is not a LinkType")
                target = reference(style, "LinkTypeReference", "LinkType")
                if target is not None and target.get("Name") != style.get("Type"):
                    self.problem(
                        f"{where}: LinkTypeReference names {target.get('Name')!r}, "
                        f"Type says {style.get('Type')!r}"
                    )
                if style.get("Strength") not in strengths:
                    self.problem(
                        f"{where}: LinkStyle Strength {style.get('Strength')!r} is not in the "
                        "StrengthCollection"
                    )
                reference(style, "StrengthReference", "Strength")
                links.append({
                    "end1": link.get("End1Id"),
                    "end2": link.get("End2Id"),
                    "label": item.get("Label"),
                    "type": style.get("Type"),
                    "strength": style.get("Strength"),
                    "line_colour": style.get("LineColour"),
                    "attributes": attributes(item, where),
                    "cards": cards(link, where),
                })
        # Ends are checked once every entity is known.
        for number, link in enumerate(links, 1):
            for end in ("end1", "end2"):
                if link[end] not in entity_ids:
                    self.problem(
                        f"link {number}: {end.capitalize()}Id={link[end]!r} names no Entity/@EntityId"
                    )
                else:
                    link[end] = entity_ids[link[end]]  # report the Identity
            if link["end1"] == link["end2"]:
                self.problem(f"link {number}: both ends are the same entity")
        result["entities"] = entities
        result["links"] = links

        for palette in root.findall("PaletteCollection/Palette"):
            for entry in palette.findall("AttributeClassEntryCollection/AttributeClassEntry"):
                reference(entry, "AttributeClassReference", "AttributeClass")
            for entry in palette.findall("EntityTypeEntryCollection/EntityTypeEntry"):
                reference(entry, "EntityTypeReference", "EntityType")
            for entry in palette.findall("LinkTypeEntryCollection/LinkTypeEntry"):
                reference(entry, "LinkTypeReference", "LinkType")
        return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("anx")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    try:
        root = ET.parse(args.anx).getroot()
    except ET.ParseError as error:
        sys.exit(f"{args.anx} is not well-formed XML: {error}")
    checker = Checker(root)
    result = checker.run()
    if checker.problems:
        sys.exit("\n".join(f"{args.anx}: {p}" for p in checker.problems))
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(result, out)


if __name__ == "__main__":
    main()
