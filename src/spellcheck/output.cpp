#include "robotoff/spellcheck/spellchecker.hpp"

#include "robotoff/text/normalize.hpp"

#include <unicode/uchar.h>

#include <algorithm>

namespace robotoff::spellcheck {

std::string match_case(std::u32string_view original, std::u32string_view word) {
    bool any_letter = false;
    bool all_upper = true;
    for (char32_t c : original) {
        if (text::is_letter(c)) {
            any_letter = true;
            if (!u_isupper(static_cast<UChar32>(c))) {
                all_upper = false;
            }
        }
    }
    std::u32string out(word);
    if (any_letter && all_upper) {
        for (auto& c : out) {
            c = static_cast<char32_t>(u_toupper(static_cast<UChar32>(c)));
        }
    } else if (!original.empty() && u_isupper(static_cast<UChar32>(original[0])) && !out.empty()) {
        out[0] = static_cast<char32_t>(u_toupper(static_cast<UChar32>(out[0])));
    }
    return text::to_utf8(out);
}

std::string apply_corrections(std::string_view input, const std::vector<correction>& corrections) {
    std::vector<const term_correction*> terms;
    for (const auto& c : corrections) {
        for (const auto& t : c.term_corrections) {
            terms.push_back(&t);
        }
    }
    std::sort(terms.begin(), terms.end(),
              [](const term_correction* a, const term_correction* b) { return a->start_offset < b->start_offset; });
    const std::u32string text = text::to_u32(input);
    std::string out;
    out.reserve(input.size() + 16);
    std::size_t pos = 0;
    for (const term_correction* t : terms) {
        if (t->start_offset < pos || t->end_offset > text.size() || t->start_offset > t->end_offset) {
            continue;  // overlapping or out of range: keep the text as is
        }
        out += text::to_utf8(std::u32string_view(text).substr(pos, t->start_offset - pos));
        out += t->correction;
        pos = t->end_offset;
    }
    out += text::to_utf8(std::u32string_view(text).substr(pos));
    return out;
}

void write_corrections(rapidjson::Writer<rapidjson::StringBuffer>& w, const std::vector<correction>& cs) {
    w.StartArray();
    for (const auto& c : cs) {
        w.StartObject();
        w.Key("term_corrections");
        w.StartArray();
        for (const auto& t : c.term_corrections) {
            w.StartObject();
            w.Key("original");
            w.String(t.original);
            w.Key("correction");
            w.String(t.correction);
            w.Key("start_offset");
            w.Uint64(t.start_offset);
            w.Key("end_offset");
            w.Uint64(t.end_offset);
            w.EndObject();
        }
        w.EndArray();
        w.Key("score");
        w.Double(c.score);
        w.EndObject();
    }
    w.EndArray();
}

std::string prediction_data_json(const result& r, std::string_view lang) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    w.Key("original");
    w.String(r.text);
    w.Key("correction");
    w.String(r.corrected);
    w.Key("lang");
    w.String(lang.data(), static_cast<rapidjson::SizeType>(lang.size()));
    w.Key("corrections");
    write_corrections(w, r.corrections);
    w.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

std::string to_json(const result& r) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    w.Key("corrections");
    write_corrections(w, r.corrections);
    w.Key("text");
    w.String(r.text);
    w.Key("corrected");
    w.String(r.corrected);
    w.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace robotoff::spellcheck
