#include "data/synth/names.hpp"

#include <array>
#include <cctype>
#include <utility>

namespace waymark::synth {
namespace {

constexpr std::array<std::string_view, 48> girls = {
    "Olivia",  "Amelia",  "Isla",   "Ava",       "Mia",    "Ivy",      "Lily",    "Isabella",
    "Rosie",   "Sophia",  "Grace",  "Willow",    "Freya",  "Florence", "Emily",   "Ella",
    "Poppy",   "Evie",    "Elsie",  "Charlotte", "Evelyn", "Sienna",   "Daisy",   "Phoebe",
    "Sophie",  "Alice",   "Harper", "Matilda",   "Ruby",   "Emilia",   "Maya",    "Millie",
    "Jessica", "Chloe",   "Kayla",  "Megan",     "Hannah", "Leah",     "Abigail", "Katie",
    "Rebecca", "Jasmine", "Holly",  "Lauren",    "Zoe",    "Courtney", "Shannon", "Bethany"};

constexpr std::array<std::string_view, 48> boys = {
    "Noah",    "Oliver", "George",   "Arthur",  "Muhammad", "Leo",       "Harry",   "Oscar",
    "Archie",  "Henry",  "Theodore", "Freddie", "Jack",     "Charlie",   "Theo",    "Alfie",
    "Jacob",   "Thomas", "Finley",   "Lucas",   "Isaac",    "Tommy",     "Joshua",  "James",
    "William", "Daniel", "Samuel",   "Joseph",  "Benjamin", "Alexander", "Michael", "Matthew",
    "Nathan",  "Ryan",   "Tyler",    "Callum",  "Kieran",   "Liam",      "Connor",  "Jordan",
    "Bradley", "Jake",   "Reece",    "Kyle",    "Dylan",    "Ethan",     "Mason",   "Lewis"};

constexpr std::array<std::string_view, 64> families = {
    "Smith",   "Jones",     "Williams", "Taylor",   "Brown",    "Davies",   "Evans",      "Wilson",
    "Thomas",  "Johnson",   "Roberts",  "Robinson", "Thompson", "Wright",   "Walker",     "White",
    "Edwards", "Hughes",    "Green",    "Hall",     "Lewis",    "Harris",   "Clarke",     "Patel",
    "Jackson", "Wood",      "Turner",   "Martin",   "Cooper",   "Hill",     "Ward",       "Morris",
    "Moore",   "Clark",     "Lee",      "King",     "Baker",    "Harrison", "Morgan",     "Allen",
    "James",   "Scott",     "Phillips", "Watson",   "Davis",    "Parker",   "Price",      "Bennett",
    "Young",   "Griffiths", "Mitchell", "Kelly",    "Cook",     "Carter",   "Richardson", "Bailey",
    "Collins", "Bell",      "Shaw",     "Murphy",   "Miller",   "Cox",      "Richards",   "Khan"};

// Familiar forms; the first is the likeliest.
constexpr std::array<std::pair<std::string_view, std::string_view>, 40> nicknames = {{
    {"Daniel", "Dan"},       {"Daniel", "Danny"},      {"Samuel", "Sam"},
    {"Joseph", "Joe"},       {"Benjamin", "Ben"},      {"Alexander", "Alex"},
    {"Michael", "Mike"},     {"Michael", "Mikey"},     {"Matthew", "Matt"},
    {"Nathan", "Nate"},      {"Thomas", "Tom"},        {"Thomas", "Tommy"},
    {"William", "Will"},     {"William", "Billy"},     {"James", "Jim"},
    {"James", "Jamie"},      {"Joshua", "Josh"},       {"Jacob", "Jake"},
    {"Callum", "Cal"},       {"Kieran", "Kez"},        {"Bradley", "Brad"},
    {"Theodore", "Theo"},    {"Frederick", "Freddie"}, {"Charlotte", "Charlie"},
    {"Isabella", "Bella"},   {"Isabella", "Izzy"},     {"Jessica", "Jess"},
    {"Rebecca", "Becky"},    {"Abigail", "Abbie"},     {"Katie", "Kat"},
    {"Elizabeth", "Lizzie"}, {"Florence", "Flo"},      {"Matilda", "Tilly"},
    {"Evelyn", "Evie"},      {"Bethany", "Beth"},      {"Jasmine", "Jas"},
    {"Sophia", "Sophie"},    {"Lauren", "Loz"},        {"Megan", "Meg"},
    {"Courtney", "Court"},
}};

constexpr std::array<std::string_view, 16> street_names = {
    "Kez", "Smiler", "Tiny", "Blade", "Ghost", "Junior", "Boss",  "Ace",
    "Dee", "Rocco",  "Zee",  "Mack",  "Sly",   "Duke",   "Nitro", "Shadow"};

bool is_vowel(char c) {
    switch (std::tolower(static_cast<unsigned char>(c))) {
    case 'a':
    case 'e':
    case 'i':
    case 'o':
    case 'u':
        return true;
    default:
        return false;
    }
}

} // namespace

std::string_view given_name(model::Sex sex, Rng& rng) {
    if (sex == model::Sex::female) {
        return girls[rng.index(girls.size())];
    }
    if (sex == model::Sex::male) {
        return boys[rng.index(boys.size())];
    }
    return rng.chance(0.5) ? girls[rng.index(girls.size())] : boys[rng.index(boys.size())];
}

std::string_view family_name(Rng& rng) {
    return families[rng.index(families.size())];
}

std::string_view nickname_of(std::string_view given, Rng& rng) {
    std::size_t first = nicknames.size();
    std::size_t count = 0;
    for (std::size_t i = 0; i < nicknames.size(); ++i) {
        if (nicknames[i].first == given) {
            first = std::min(first, i);
            ++count;
        }
    }
    if (count == 0) {
        return given;
    }
    return nicknames[first + (count > 1 && rng.chance(0.4) ? 1 : 0)].second;
}

std::string misspell(std::string_view name, Rng& rng) {
    std::string text(name);
    if (text.size() < 3) {
        return text;
    }
    const std::size_t at = 1 + rng.index(text.size() - 2); // never the first letter
    switch (rng.between(0, 4)) {
    case 0: // doubled letter
        text.insert(at, 1, text[at]);
        break;
    case 1: // dropped letter
        text.erase(at, 1);
        break;
    case 2: // neighbours swapped (or, if equal, a doubled letter)
        if (text[at] != text[at + 1 < text.size() ? at + 1 : at - 1]) {
            std::swap(text[at], text[at + 1 < text.size() ? at + 1 : at - 1]);
        } else {
            text.insert(at, 1, text[at]);
        }
        break;
    case 3: { // a vowel changed, or a letter added if there is none to change
        constexpr std::string_view vowels = "aeiouy";
        std::size_t vowel = at;
        while (vowel < text.size() && !is_vowel(text[vowel])) {
            ++vowel;
        }
        if (vowel < text.size()) {
            char replacement = vowels[rng.index(vowels.size())];
            if (replacement == std::tolower(static_cast<unsigned char>(text[vowel]))) {
                replacement = replacement == 'y' ? 'i' : 'y';
            }
            text[vowel] = replacement;
        } else {
            text.insert(at, 1, 'e');
        }
        break;
    }
    default: // typed in capitals
        for (char& c : text) {
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        break;
    }
    return text;
}

std::string_view street_name(Rng& rng) {
    return street_names[rng.index(street_names.size())];
}

} // namespace waymark::synth
