#include "nutrient_phrases.hpp"

namespace robotoff::extract {

const std::vector<nutrient_entry>& nutrient_table() {
    static const std::vector<nutrient_entry> table = {
        {"energy",
         {{"énergie", "fr"},
          {"energie", "fr,de,nl"},
          {"valeurs? [ée]nerg[ée]tiques?", "fr"},
          {"energy", "en"},
          {"calories", "fr,en"},
          {"energia", "es,it,pt,hu"},
          {"valor energ[ée]tico", "es"},
          {"energi", "da"}},
         "kj|kcal"},
        {"saturated_fat",
         {{"mati[èe]res? grasses? satur[ée]es?", "fr"},
          {"acides? gras satur[ée]s?", "fr"},
          {"dont satur[ée]s?", "fr"},
          {"acidi grassi saturi", "it"},
          {"saturated fat", "en"},
          {"of which saturates", "en"},
          {"verzadigde vetzuren", "nl"},
          {"waarvan verzadigde", "nl"},
          {"gesättigte fettsäuren", "de"},
          {"[áa]cidos grasos saturados", "es"},
          {"dos quais saturados", "pt"},
          {"mættede fedtsyrer", "da"},
          {"amelyb[őö]l? telített zs[íi]rsavak", "hu"}},
         "g"},
        {"trans_fat", {{"mati[èe]res? grasses? trans", "fr"}, {"trans fat", "en"}}, "g"},
        {"fat",
         {{"mati[èe]res? grasses?", "fr"},
          {"graisses?", "fr"},
          {"lipides?", "fr"},
          {"total fat", "en"},
          {"vetten", "nl"},
          {"fett", "de"},
          {"grasas", "es"},
          {"grassi", "it"},
          {"l[íi]pidos", "es,pt"},
          {"fedt", "da"},
          {"zs[íi]r", "hu"}},
         "g"},
        {"sugar",
         {{"sucres?", "fr"},
          {"sugars?", "en"},
          {"zuccheri", "it"},
          {"suikers?", "nl"},
          {"zucker", "de"},
          {"az[úu]cares", "es"},
          {"sukkerarter", "da"},
          {"amelyb[őö]l? cukrok", "hu"}},
         "g"},
        {"carbohydrate",
         {{"total carbohydrate", "en"},
          {"glucids?", "fr"},
          {"glucides?", "en"},
          {"carboidrati", "it"},
          {"koolhydraten", "nl"},
          {"koolhydraat", "nl"},
          {"kohlenhydrate", "de"},
          {"hidratos de carbono", "es,pt"},
          {"kulhydrat", "da"},
          {"szénhidrát", "hu"}},
         "g"},
        {"protein",
         {{"prot[ée]ines?", "fr"},
          {"protein", "en,da"},
          {"eiwitten", "nl"},
          {"eiweiß", "de"},
          {"prote[íi]nas", "es,pt"},
          {"fehérje", "hu"}},
         "g"},
        {"salt",
         {{"sel", "fr"},
          {"salt", "en,da"},
          {"zout", "nl"},
          {"salz", "de"},
          {"sale", "it"},
          {"sal", "es,pt"},
          {"só", "hu"}},
         "g|mg"},
        {"fiber",
         {{"fibres?", "en,fr,it"},
          {"fibers?", "en"},
          {"dietary fibers?", "en"},
          {"fibres? alimentaires?", "fr"},
          {"vezels?", "nl"},
          {"voedingsvezels?", "nl"},
          {"ballaststoffe", "de"},
          {"fibra", "es"},
          {"fibra alimentaria", "es"},
          {"kostfibre", "da"},
          {"rost", "hu"}},
         "g"},
    };
    return table;
}

const std::vector<nutrient_phrase>& nutrition_value_headings() {
    static const std::vector<nutrient_phrase> headings = {
        {"informations? nutritionnelles?(?: moyennes?)?", "fr"},
        {"valeurs? nutritionnelles?(?: moyennes?)?", "fr"},
        {"analyse moyenne pour", "fr"},
        {"valeurs? nutritives?", "fr"},
        {"valeurs? moyennes?", "fr"},
        {"nutrition facts?", "en"},
        {"average nutritional values?", "en"},
        {"valori nutrizionali medi", "it"},
        {"gemiddelde waarden per", "nl"},
        {"nutritionele informatie", "nl"},
        {"næringsindhold", "da"},
        {"ernæringsindhold", "da"},
        {"átlagos tápérték(?: ?tartalom)?", "hu"},
        {"tápérték adatok", "hu"},
    };
    return headings;
}

std::string marked_alternation(const std::vector<nutrient_phrase>& phrases) {
    std::string out = "(?:";
    for (std::size_t i = 0; i < phrases.size(); ++i) {
        if (i > 0) {
            out += '|';
        }
        out += "(?:";
        out += phrases[i].pattern;
        out += ")(*MARK:" + std::to_string(i) + ")";
    }
    out += ")";
    return out;
}

std::vector<std::string> split_langs(const char* langs) {
    std::vector<std::string> out;
    std::string current;
    for (const char* p = langs; *p != 0; ++p) {
        if (*p == ',') {
            out.push_back(current);
            current.clear();
        } else {
            current.push_back(*p);
        }
    }
    if (!current.empty()) {
        out.push_back(current);
    }
    return out;
}

}  // namespace robotoff::extract
