// Names as sources write them: normalisation, Jaro-Winkler, the phonetic key
// (Double Metaphone, primary), the nickname table and dates of birth.
//
// Reference values: Jaro-Winkler from Winkler (1990) as quoted on Wikipedia
// (MARTHA/MARHTA, DWAYNE/DUANE, DIXON/DICKSONX) and, to the last bit, from
// jellyfish 0.8.9 (Debian python3-jellyfish); Double Metaphone keys from the
// examples of Philips (2000) as abydos documents them (Christopher, Niall,
// Smith, Schmidt) and from abydos 0.5 (Debian python3-abydos,
// DoubleMetaphone(max_length=-1), primary key). During development both
// implementations agreed with ours on 17,278 words (names and random letter
// strings) and 25,810 pairs; docs/methods/entity-resolution.md says how.

#include "base/error.hpp"
#include "graph/names.hpp"
#include "tests/support/errors.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace waymark::graph {
namespace {

using waymark::testing::message_of;

TEST(NormaliseName, CaseAccentsLigaturesAndPunctuation) {
    EXPECT_EQ(normalise_name("Zoë"), "zoe");
    EXPECT_EQ(normalise_name("Łukasz"), "lukasz");
    EXPECT_EQ(normalise_name("Æthelred"), "aethelred");
    EXPECT_EQ(normalise_name("Æ"), "ae");
    EXPECT_EQ(normalise_name("Strauß"), "strauss");
    EXPECT_EQ(normalise_name("Ørsted Œuvre"), "orsted oeuvre");
    EXPECT_EQ(normalise_name("Nguyễn Thị"), "nguyen thi");
    EXPECT_EQ(normalise_name("Şükrü Çelik"), "sukru celik");
    EXPECT_EQ(normalise_name("Siân Dafydd-Jones"), "sian dafydd jones");
    EXPECT_EQ(normalise_name("José"), "jose");
    EXPECT_EQ(normalise_name("Jose\xCC\x81"), "jose"); // e + combining acute accent
    EXPECT_EQ(normalise_name("O'Neil"), "oneil");
    EXPECT_EQ(normalise_name("O\xE2\x80\x99Neil"), "oneil"); // right single quotation mark
    EXPECT_EQ(normalise_name("  MARY-JANE   smith,  jr. "), "mary jane smith jr");
    EXPECT_EQ(normalise_name("\xEF\xBC\xB4\xEF\xBD\x8F\xEF\xBD\x8D"), "tom"); // fullwidth Tom
    EXPECT_EQ(normalise_name("Room 101"), "room 101");
    EXPECT_EQ(normalise_name(""), "");
    EXPECT_EQ(normalise_name(" ,.- "), "");
}

TEST(NormaliseName, OtherScriptsAreSeparators) {
    // Not transliterated: they match only through an analyst's pin.
    EXPECT_EQ(normalise_name("Дмитрий Smith"), "smith");
    EXPECT_EQ(normalise_name("李"), "");
}

TEST(NormaliseName, InvalidUtf8IsReadWithoutError) {
    EXPECT_EQ(normalise_name("\xFF\xFETom\xC3"), "tom"); // stray bytes, a cut sequence
    EXPECT_EQ(normalise_name("Ann\xC0\xAF"
                             "e"),
              "ann e"); // an overlong '/'
    EXPECT_EQ(normalise_name("A\xED\xA0\x80"
                             "B"),
              "a b");                                       // a UTF-16 surrogate
    EXPECT_EQ(normalise_name("X\xF4\x90\x80\x80Y"), "x y"); // above U+10FFFF
    EXPECT_EQ(normalise_name("Zo\xC3"), "zo");              // truncated at the end
    EXPECT_EQ(normalise_name("Zo\xC3\xAB\xE2\x82"), "zoe"); // truncated after a letter
    std::string every_byte;
    for (int b = 0; b < 256; ++b) {
        every_byte += static_cast<char>(b);
    }
    const std::string normal = normalise_name(every_byte);
    EXPECT_TRUE(std::all_of(normal.begin(), normal.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ';
    })) << normal;
}

TEST(NameTokens, Words) {
    EXPECT_EQ(name_tokens("  Mary-Jane O'Neil "),
              (std::vector<std::string>{"mary", "jane", "oneil"}));
    EXPECT_TRUE(name_tokens(" - ").empty());
}

TEST(JaroWinkler, WinklersExamples) {
    EXPECT_NEAR(jaro_winkler("MARTHA", "MARHTA"), 0.961, 5e-4);
    EXPECT_NEAR(jaro_winkler("DWAYNE", "DUANE"), 0.840, 5e-4);
    EXPECT_NEAR(jaro_winkler("DIXON", "DICKSONX"), 0.813, 5e-4);
}

TEST(JaroWinkler, AsJellyfish) {
    struct Case {
        const char* a;
        const char* b;
        double expected;
    };
    // jellyfish.jaro_winkler(a, b), printed with 17 significant digits.
    const Case cases[] = {
        {"MARTHA", "MARHTA", 0.96111111111111114},
        {"DWAYNE", "DUANE", 0.84000000000000008},
        {"DIXON", "DICKSONX", 0.81333333333333324},
        {"JELLYFISH", "SMELLYFISH", 0.89629629629629637},
        {"kayleigh", "kayley", 0.89166666666666672},
        {"thomas", "thmoas", 0.9555555555555556},
        {"abcdefgh", "abxxxxxx", 0.5}, // Jaro 0.5: below 0.7, no prefix boost
        {"ab", "ba", 0},
        {"leo", "loe", 0.55555555555555547},
        {"a", "a", 1},
        {"abc", "xyz", 0},
        {"shackleford", "shackelford", 0.98181818181818181},
        {"dunningham", "cunnigham", 0.89629629629629637},
        {"nichleson", "nichulson", 0.9555555555555556},
        {"jones", "johnson", 0.83238095238095233},
        {"massey", "massie", 0.93333333333333335},
        {"abroms", "abrams", 0.92222222222222228},
        {"hardin", "martinez", 0.72222222222222221},
        {"itman", "smith", 0.46666666666666662},
        {"jeraldine", "geraldine", 0.92592592592592593},
        {"michelle", "michael", 0.92142857142857149},
        {"julies", "julius", 0.93333333333333335},
        {"tanya", "tonya", 0.88},
        {"sean", "susan", 0.80499999999999994},
        {"jon", "john", 0.93333333333333335},
        {"jon", "jan", 0.79999999999999993},
    };
    for (const Case& c : cases) {
        EXPECT_NEAR(jaro_winkler(c.a, c.b), c.expected, 1e-15) << c.a << " " << c.b;
        EXPECT_NEAR(jaro_winkler(c.b, c.a), c.expected, 1e-15) << c.b << " " << c.a;
    }
}

TEST(JaroWinkler, EmptyStrings) {
    EXPECT_EQ(jaro_winkler("", ""), 1.0);
    EXPECT_EQ(jaro_winkler("", "tom"), 0.0);
    EXPECT_EQ(jaro_winkler("tom", ""), 0.0);
}

TEST(PhoneticKey, SoundsAlike) {
    EXPECT_EQ(phonetic_key("kayleigh"), "KL");
    EXPECT_EQ(phonetic_key("kayley"), "KL");
    EXPECT_EQ(phonetic_key("kaylee"), "KL");
    EXPECT_EQ(phonetic_key("muhammad"), phonetic_key("mohammed"));
    EXPECT_EQ(phonetic_key("smith"), phonetic_key("smyth"));
    EXPECT_EQ(phonetic_key("Thomas"), phonetic_key("thomas")); // upper case is read too
    EXPECT_EQ(phonetic_key(""), "");
}

TEST(PhoneticKey, DoubleMetaphonePrimaryAsAbydos) {
    struct Case {
        const char* word;
        const char* key;
    };
    const Case cases[] = {
        {"christopher", "KRSTFR"}, // Philips' examples as abydos documents them
        {"niall", "NL"},
        {"smith", "SM0"},
        {"schmidt", "XMT"},
        {"thomas", "TMS"},
        {"thompson", "TMPSN"},
        {"jessica", "JSK"},
        {"rebecca", "RPK"},
        {"xavier", "SF"},
        {"michael", "MKL"},
        {"mcclellan", "MKLLN"},
        {"knight", "NT"},
        {"wright", "RT"},
        {"psychology", "SXLJ"},
        {"campbell", "KMPL"},
        {"gnome", "NM"},
        {"jose", "HS"},
        {"schneider", "XNTR"},
        {"schooler", "SKLR"},
        {"caesar", "SSR"},
        {"chianti", "KNT"},
        {"chorus", "KRS"},
        {"focaccia", "FKX"},
        {"bacchus", "PKS"},
        {"bertucci", "PRTX"},
        {"accident", "AKSTNT"},
        {"succeed", "SKST"},
        {"tagliaro", "TKLR"},
        {"biaggi", "PJ"},
        {"cagney", "KKN"},
        {"edgar", "ATKR"},
        {"edge", "AJ"},
        {"hugh", "H"},
        {"laugh", "LF"},
        {"tough", "TF"},
        {"broughton", "PRTN"},
        {"mclaughlin", "MKLFLN"},
        {"island", "ALNT"},
        {"artois", "ART"},
        {"rogier", "RJ"},
        {"breaux", "PR"},
        {"zhao", "J"},
        {"filipowicz", "FLPTS"},
        {"czerny", "SRN"},
        {"gallegos", "KLKS"},
        {"cabrillo", "KPRL"},
        {"dumb", "TM"},
        {"thumb", "0M"},
        {"wasserman", "ASRMN"},
        {"arnow", "ARN"},
        {"sugar", "XKR"},
        {"school", "SKL"},
        {"schermerhorn", "XRMRRN"},
        {"orchestra", "ARKSTR"},
        {"architect", "ARKTKT"},
        {"wachtler", "AKTLR"},
        {"tichner", "TXNR"},
        {"siobhan", "SPN"},
        {"niamh", "NM"},
        {"featherstonehaugh", "F0RSTNH"},
        {"cholmondeley", "XLMNTL"},
        {"vaughan", "FKN"},
        {"leigh", "L"},
        {"ghosh", "KX"},
        {"gheorghe", "KRK"},
        {"yusuf", "ASF"},
        {"zoe", "S"},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(phonetic_key(c.word), c.key) << c.word;
    }
}

TEST(Nicknames, BuiltinTable) {
    const Nicknames& table = Nicknames::builtin();
    EXPECT_TRUE(table.related("Dan", "Daniel"));
    EXPECT_TRUE(table.related("daniel", "DANNY"));
    EXPECT_TRUE(table.related("danny", "dan")); // both familiar forms of Daniel
    EXPECT_TRUE(table.related("Bill", "William"));
    EXPECT_TRUE(table.related("Liam", "billy"));
    EXPECT_TRUE(table.related("Kez", "Kieran"));
    EXPECT_TRUE(table.related("Peggy", "Margaret"));
    EXPECT_FALSE(table.related("Dan", "Thomas"));
    EXPECT_FALSE(table.related("dan", "Dan")); // the same word is not a nickname of itself
    EXPECT_FALSE(table.related("Alexander", "Alexandra")); // two formal names sharing "Alex"
    EXPECT_EQ(table.formal_names("Tom"), (std::vector<std::string>{"thomas"}));
    const std::vector<std::string> al = table.formal_names("Al");
    for (const char* formal : {"alan", "albert", "alexander", "alistair"}) {
        EXPECT_NE(std::find(al.begin(), al.end(), formal), al.end()) << formal;
    }
    EXPECT_TRUE(table.formal_names("Daniel").empty());
    EXPECT_TRUE(table.formal_names("Zebedee").empty());
}

TEST(Nicknames, ParseNormalisesAndSorts) {
    const Nicknames table =
        Nicknames::parse("name,familiar\r\nZoë,Zo\n\nRobert , Bob\nRobert,Rob\n", "test.csv");
    EXPECT_TRUE(table.related("zoe", "ZO"));
    EXPECT_TRUE(table.related("bob", "rob"));
    EXPECT_EQ(table.formal_names("Bob"), (std::vector<std::string>{"robert"}));
    EXPECT_FALSE(table.related("dan", "daniel"));
}

TEST(Nicknames, ParseErrorsNameTheLine) {
    EXPECT_EQ(message_of<InputError>([] { Nicknames::parse("formal,short\n", "n.csv"); }),
              "n.csv: line 1: expected the header name,familiar");
    EXPECT_EQ(message_of<InputError>([] { Nicknames::parse("", "n.csv"); }),
              "n.csv: line 1: expected the header name,familiar");
    EXPECT_EQ(message_of<InputError>(
                  [] { Nicknames::parse("name,familiar\nDaniel,Dan\nTom\n", "n.csv"); }),
              "n.csv: line 3: expected two fields, name,familiar");
    EXPECT_EQ(message_of<InputError>(
                  [] { Nicknames::parse("name,familiar\nDaniel,Dan,Danny\n", "n.csv"); }),
              "n.csv: line 2: expected two fields, name,familiar");
    EXPECT_EQ(message_of<InputError>([] { Nicknames::parse("name,familiar\n,Dan\n", "n.csv"); }),
              "n.csv: line 2: empty name");
    EXPECT_EQ(message_of<InputError>([] { Nicknames::parse("name,familiar\nDaniel,\n", "n.csv"); }),
              "n.csv: line 2: empty familiar form");
    EXPECT_EQ(message_of<InputError>(
                  [] { Nicknames::parse("name,familiar\nMary Ann,Polly\n", "n.csv"); }),
              "n.csv: line 2: a name and its familiar form are one word each");
    EXPECT_EQ(message_of<InputError>([] { Nicknames::parse("name,familiar\nDan,DAN\n", "n.csv"); }),
              "n.csv: line 2: 'dan' is its own familiar form");
}

model::Date date(const char* text) {
    return model::parse_date(text);
}

TEST(CompareDob, Agreements) {
    EXPECT_EQ(compare_dob(std::nullopt, date("2010-05-12")), DobAgreement::unknown);
    EXPECT_EQ(compare_dob(date("2010-05-12"), std::nullopt), DobAgreement::unknown);
    EXPECT_EQ(compare_dob(date("2010-05-12"), date("2010-05-12")), DobAgreement::same);
    // Day and month swapped; two digits swapped, neighbours or not.
    EXPECT_EQ(compare_dob(date("2010-03-04"), date("2010-04-03")), DobAgreement::transposed);
    EXPECT_EQ(compare_dob(date("2010-05-12"), date("2010-05-21")), DobAgreement::transposed);
    EXPECT_EQ(compare_dob(date("2001-05-12"), date("2010-05-12")), DobAgreement::transposed);
    EXPECT_EQ(compare_dob(date("2010-05-12"), date("2010-02-15")), DobAgreement::transposed);
    // Within a year either way.
    EXPECT_EQ(compare_dob(date("2010-05-12"), date("2011-03-01")), DobAgreement::near);
    EXPECT_EQ(compare_dob(date("2011-05-12"), date("2010-05-12")), DobAgreement::near);
    EXPECT_EQ(compare_dob(date("2012-02-29"), date("2013-03-01")), DobAgreement::near);
    EXPECT_EQ(compare_dob(date("2012-02-29"), date("2013-03-02")), DobAgreement::different);
    EXPECT_EQ(compare_dob(date("2010-05-12"), date("2011-05-13")), DobAgreement::different);
    EXPECT_EQ(compare_dob(date("1990-01-01"), date("2010-07-23")), DobAgreement::different);
}

} // namespace
} // namespace waymark::graph
