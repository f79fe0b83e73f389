#include "robotoff/core/file_io.hpp"
#include "robotoff/core/log.hpp"
#include "robotoff/spellcheck/corpus.hpp"

namespace robotoff::spellcheck {

std::vector<std::shared_ptr<const corpus>> build_corpora_from_dump(
    const std::string& path, const std::vector<std::string>& langs, const taxonomy::taxonomy* ingredients,
    const std::function<void(std::uint64_t)>& progress) {
    std::vector<corpus_builder> builders;
    builders.reserve(langs.size());
    for (const auto& lang : langs) {
        builders.emplace_back(lang);
    }
    std::vector<std::uint64_t> added(langs.size(), 0);
    core::line_reader reader(path);
    std::string line;
    std::uint64_t malformed = 0;
    while (reader.next(line)) {
        if (progress && reader.line_number() % 100000 == 0) {
            progress(reader.line_number());
        }
        // Cheap pre-filter: most dump lines have no complete state and are skipped without parsing.
        if (line.find("en:complete") == std::string::npos) {
            continue;
        }
        auto doc = core::try_parse_json(line);
        if (!doc || !doc->IsObject()) {
            ++malformed;
            continue;
        }
        for (std::size_t i = 0; i < langs.size(); ++i) {
            if (auto record = record_from_product(*doc, langs[i]); record && builders[i].add_product(*record)) {
                ++added[i];
            }
        }
    }
    std::vector<std::shared_ptr<const corpus>> out;
    for (std::size_t i = 0; i < langs.size(); ++i) {
        if (ingredients != nullptr) {
            builders[i].add_taxonomy(*ingredients);
        }
        out.push_back(builders[i].build());
        core::log::info("spellcheck.corpus_built", {{"lang", langs[i]},
                                                    {"products", added[i]},
                                                    {"vocabulary", out.back()->vocabulary_size()},
                                                    {"words", out.back()->total_words()},
                                                    {"malformed_lines", malformed}});
    }
    return out;
}

}  // namespace robotoff::spellcheck
