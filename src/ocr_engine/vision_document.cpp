// Serialization of the local OCR result as a Vision `images:annotate` response, streamed with RapidJSON's
// writer (documents of several thousand words are built without an intermediate DOM).

#include "robotoff/core/json.hpp"
#include "robotoff/ocr_engine/vision_document.hpp"

#include <rapidjson/prettywriter.h>

#include <algorithm>
#include <map>

namespace robotoff::ocr_engine {

namespace {

const char* break_name(break_type b) {
    switch (b) {
    case break_type::space:
        return "SPACE";
    case break_type::eol_sure_space:
        return "EOL_SURE_SPACE";
    case break_type::line_break:
        return "LINE_BREAK";
    case break_type::none:
        break;
    }
    return nullptr;
}

const char* break_string(break_type b) {
    switch (b) {
    case break_type::space:
    case break_type::eol_sure_space:
        return " ";
    case break_type::line_break:
        return "\n";
    case break_type::none:
        break;
    }
    return "";
}

// Confidences rounded to 3 decimals: Tesseract's precision, and shorter JSON.
double round3(double v) {
    return static_cast<double>(static_cast<long long>(v * 1000.0 + (v >= 0 ? 0.5 : -0.5))) / 1000.0;
}

template <typename Writer>
void write_string(Writer& w, std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

template <typename Writer>
void write_vertices(Writer& w, const quad& q) {
    w.Key("vertices");
    w.StartArray();
    for (const auto& v : q) {
        w.StartObject();
        w.Key("x");
        w.Int(v.x);
        w.Key("y");
        w.Int(v.y);
        w.EndObject();
    }
    w.EndArray();
}

template <typename Writer>
void write_box(Writer& w, const char* key, const quad& q) {
    w.Key(key);
    w.StartObject();
    write_vertices(w, q);
    w.EndObject();
}

template <typename Writer>
void write_languages(Writer& w, const std::string& language) {
    if (language.empty()) {
        return;
    }
    w.Key("property");
    w.StartObject();
    w.Key("detectedLanguages");
    w.StartArray();
    w.StartObject();
    w.Key("languageCode");
    write_string(w, language);
    w.EndObject();
    w.EndArray();
    w.EndObject();
}

quad page_quad(const ocr_page& page) {
    return {vertex{0, 0}, vertex{page.width, 0}, vertex{page.width, page.height}, vertex{0, page.height}};
}

// The most frequent word language, for textAnnotations[0].locale (Vision sets it the same way).
std::string dominant_language(const ocr_page& page) {
    std::map<std::string, int> counts;
    for (const auto& block : page.blocks) {
        for (const auto& para : block.paragraphs) {
            for (const auto& word : para.words) {
                if (!word.language.empty()) {
                    ++counts[word.language];
                }
            }
        }
    }
    std::string best;
    int best_count = 0;
    for (const auto& [lang, count] : counts) {
        if (count > best_count) {
            best = lang;
            best_count = count;
        }
    }
    return best;
}

template <typename Writer>
void write_document(Writer& w, const ocr_page& page) {
    const std::string text = page_text(page);
    w.StartObject();
    w.Key("responses");
    w.StartArray();
    w.StartObject();

    w.Key("textAnnotations");
    w.StartArray();
    if (!text.empty()) {
        w.StartObject();
        const std::string locale = dominant_language(page);
        if (!locale.empty()) {
            w.Key("locale");
            write_string(w, locale);
        }
        w.Key("description");
        write_string(w, text);
        w.Key("boundingPoly");
        w.StartObject();
        write_vertices(w, page_quad(page));
        w.EndObject();
        w.EndObject();
        for (const auto& block : page.blocks) {
            for (const auto& para : block.paragraphs) {
                for (const auto& word : para.words) {
                    w.StartObject();
                    w.Key("description");
                    write_string(w, word_text(word, false));
                    w.Key("boundingPoly");
                    w.StartObject();
                    write_vertices(w, word.box);
                    w.EndObject();
                    w.EndObject();
                }
            }
        }
    }
    w.EndArray();

    w.Key("fullTextAnnotation");
    w.StartObject();
    w.Key("pages");
    w.StartArray();
    w.StartObject();
    w.Key("width");
    w.Int(page.width);
    w.Key("height");
    w.Int(page.height);
    w.Key("blocks");
    w.StartArray();
    for (const auto& block : page.blocks) {
        w.StartObject();
        w.Key("blockType");
        w.String("TEXT");
        write_box(w, "boundingBox", block.box);
        w.Key("confidence");
        w.Double(round3(block.confidence));
        w.Key("paragraphs");
        w.StartArray();
        for (const auto& para : block.paragraphs) {
            w.StartObject();
            write_box(w, "boundingBox", para.box);
            w.Key("words");
            w.StartArray();
            for (const auto& word : para.words) {
                w.StartObject();
                write_languages(w, word.language);
                write_box(w, "boundingBox", word.box);
                w.Key("confidence");
                w.Double(round3(word.confidence));
                w.Key("symbols");
                w.StartArray();
                for (const auto& symbol : word.symbols) {
                    w.StartObject();
                    if (const char* name = break_name(symbol.after)) {
                        w.Key("property");
                        w.StartObject();
                        w.Key("detectedBreak");
                        w.StartObject();
                        w.Key("type");
                        w.String(name);
                        w.EndObject();
                        w.EndObject();
                    }
                    w.Key("text");
                    write_string(w, symbol.text);
                    w.Key("confidence");
                    w.Double(round3(symbol.confidence));
                    w.EndObject();
                }
                w.EndArray();
                w.EndObject();
            }
            w.EndArray();
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    w.EndArray();
    w.Key("text");
    write_string(w, text);
    w.EndObject();

    w.EndObject();
    w.EndArray();
    w.EndObject();
}

}  // namespace

std::string vision_language(std::string_view tesseract_language) {
    static const std::map<std::string_view, std::string_view> iso = {
        {"fra", "fr"}, {"eng", "en"}, {"deu", "de"}, {"spa", "es"},
        {"ita", "it"}, {"nld", "nl"}, {"por", "pt"},
    };
    const auto it = iso.find(tesseract_language);
    return std::string(it == iso.end() ? tesseract_language : it->second);
}

std::string word_text(const ocr_word& word, bool with_break) {
    std::string out;
    for (const auto& symbol : word.symbols) {
        out += symbol.text;
        if (with_break) {
            out += break_string(symbol.after);
        }
    }
    return out;
}

std::string page_text(const ocr_page& page) {
    std::string out;
    bool first_block = true;
    for (const auto& block : page.blocks) {
        if (!first_block) {
            out += '|';
        }
        first_block = false;
        std::string previous;
        bool first_para = true;
        for (const auto& para : block.paragraphs) {
            std::string text;
            for (const auto& word : para.words) {
                text += word_text(word, true);
            }
            if (!first_para && !previous.empty() && previous.back() != ' ' && previous.back() != '\n') {
                out += ' ';
            }
            first_para = false;
            out += text;
            previous = std::move(text);
        }
    }
    return out;
}

std::string to_vision_json(const ocr_page& page, bool pretty) {
    rapidjson::StringBuffer buffer;
    if (pretty) {
        rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
        writer.SetIndent(' ', 2);
        write_document(writer, page);
    } else {
        rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
        write_document(writer, page);
    }
    return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace robotoff::ocr_engine
