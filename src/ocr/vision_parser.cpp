// Vision `images:annotate` JSON -> ocr_result (ocr-and-extraction.md §1.2, §2.1-2.6). Parsed in place with
// RapidJSON; every field we read is type-checked and a violation throws invalid_ocr naming its path.

#include "vision_parser.hpp"

// Real OCR files are often pretty-printed (84% whitespace in one sample): SIMD whitespace skipping matters.
// SSE2 is baseline on x86-64. Not under AddressSanitizer: the SIMD loop reads whole aligned 16-byte blocks.
#if (defined(__x86_64__) || defined(_M_X64)) && !defined(__SANITIZE_ADDRESS__) && !defined(RAPIDJSON_SSE2)
#if defined(__has_feature)
#if !__has_feature(address_sanitizer)
#define RAPIDJSON_SSE2
#endif
#else
#define RAPIDJSON_SSE2
#endif
#endif

#include "robotoff/core/json.hpp"
#include "robotoff/text/normalize.hpp"

#include <rapidjson/error/en.h>

#include <unicode/utf8.h>

#include <algorithm>

namespace robotoff::ocr {

using json = rapidjson::Value;

class ocr_result_builder {
public:
    static ocr_result build(const json& response);
    static ocr_result plain(std::u32string text, bool as_ocr_block);

private:
    static void parse_full_text(const json& fta, ocr_result& r);
    static void finish_votes(ocr_result& r);
    static void count_language(ocr_result& r, std::string_view code);
};

namespace {

[[noreturn]] void fail(const std::string& what) { throw invalid_ocr("invalid OCR JSON: " + what); }

const json* member(const json& obj, const char* key) {
    const auto it = obj.FindMember(key);
    return it == obj.MemberEnd() ? nullptr : &it->value;
}

const json& require_array(const json& obj, const char* key, std::string_view path) {
    const json* v = member(obj, key);
    if (v == nullptr) {
        fail(std::string(path) + "." + key + " missing");
    }
    if (!v->IsArray()) {
        fail(std::string(path) + "." + key + " is not an array");
    }
    return *v;
}

const json* optional_array(const json& obj, const char* key, std::string_view path) {
    const json* v = member(obj, key);
    if (v == nullptr || v->IsNull()) {
        return nullptr;
    }
    if (!v->IsArray()) {
        fail(std::string(path) + "." + key + " is not an array");
    }
    return v;
}

const json* optional_object(const json& obj, const char* key, std::string_view path) {
    const json* v = member(obj, key);
    if (v == nullptr || v->IsNull()) {
        return nullptr;
    }
    if (!v->IsObject()) {
        fail(std::string(path) + "." + key + " is not an object");
    }
    return v;
}

std::string_view optional_string(const json& obj, const char* key, std::string_view path) {
    const json* v = member(obj, key);
    if (v == nullptr || v->IsNull()) {
        return {};
    }
    if (!v->IsString()) {
        fail(std::string(path) + "." + key + " is not a string");
    }
    return {v->GetString(), v->GetStringLength()};
}

double optional_number(const json& obj, const char* key, std::string_view path) {
    const json* v = member(obj, key);
    if (v == nullptr || v->IsNull()) {
        return 0;
    }
    if (!v->IsNumber()) {
        fail(std::string(path) + "." + key + " is not a number");
    }
    return v->GetDouble();
}

int clamp_coordinate(double d) {
    // Coordinates are pixels; anything absurd is clamped so later min/max arithmetic cannot overflow.
    if (!(d > -1e9)) {
        return -1000000000;
    }
    if (d > 1e9) {
        return 1000000000;
    }
    return static_cast<int>(d);
}

// boundingBox / boundingPoly: {"vertices": [{"x":..,"y":..}, ...]}; absent -> empty.
polygon parse_vertices(const json& obj, const char* key, std::string_view path) {
    polygon out;
    const json* poly = optional_object(obj, key, path);
    if (poly == nullptr) {
        return out;
    }
    const json* vs = optional_array(*poly, "vertices", path);
    if (vs == nullptr) {
        return out;
    }
    for (const auto& v : vs->GetArray()) {
        if (!v.IsObject()) {
            fail(std::string(path) + "." + key + ".vertices[] item is not an object");
        }
        vertex p;
        p.x = clamp_coordinate(optional_number(v, "x", path));
        p.y = clamp_coordinate(optional_number(v, "y", path));
        out.push_back(p);
    }
    return out;
}

void append_utf8(std::u32string& out, const char* s, std::size_t n) {
    const auto* p = reinterpret_cast<const uint8_t*>(s);
    const auto length = static_cast<int32_t>(n);
    int32_t i = 0;
    while (i < length) {
        if (p[i] < 0x80) {
            out.push_back(p[i]);
            ++i;
            continue;
        }
        UChar32 c;
        U8_NEXT(p, i, length, c);
        out.push_back(c < 0 ? U'\uFFFD' : static_cast<char32_t>(c));
    }
}

std::string path_of(std::size_t page, std::size_t block, std::size_t para, std::size_t word) {
    return "fullTextAnnotation.pages[" + std::to_string(page) + "].blocks[" + std::to_string(block) +
           "].paragraphs[" + std::to_string(para) + "].words[" + std::to_string(word) + "]";
}

// Break string of §2.1; false for an unknown type.
bool break_string(std::string_view type, std::u32string_view& out) {
    if (type == "SPACE" || type == "SURE_SPACE" || type == "EOL_SURE_SPACE") {
        out = U" ";
        return true;
    }
    if (type == "LINE_BREAK") {
        out = U"\n";
        return true;
    }
    if (type == "HYPHEN" || type == "UNKNOWN") {
        out = U"";
        return true;
    }
    return false;
}

}  // namespace

void ocr_result_builder::parse_full_text(const json& fta, ocr_result& r) {
    r.has_full_text_annotation_ = true;
    const json& pages = require_array(fta, "pages", "fullTextAnnotation");
    std::u32string& text = r.full_text_;
    std::vector<std::size_t> page_starts;
    for (rapidjson::SizeType pi = 0; pi < pages.Size(); ++pi) {
        const json& page = pages[pi];
        const std::string page_path = "fullTextAnnotation.pages[" + std::to_string(pi) + "]";
        if (!page.IsObject()) {
            fail(page_path + " is not an object");
        }
        if (pi > 0) {
            text.push_back(U'|');
        }
        page_starts.push_back(text.size());
        r.page_sizes_.emplace_back(static_cast<int>(optional_number(page, "width", page_path)),
                                   static_cast<int>(optional_number(page, "height", page_path)));
        const json* blocks = optional_array(page, "blocks", page_path);
        if (blocks == nullptr) {
            continue;
        }
        for (rapidjson::SizeType bi = 0; bi < blocks->Size(); ++bi) {
            const json& block = (*blocks)[bi];
            if (!block.IsObject()) {
                fail(page_path + ".blocks[" + std::to_string(bi) + "] is not an object");
            }
            if (bi > 0) {
                text.push_back(U'|');
            }
            const json* paragraphs = optional_array(block, "paragraphs", "fullTextAnnotation.pages[].blocks[]");
            if (paragraphs == nullptr) {
                continue;
            }
            std::size_t previous_start = text.size();
            for (rapidjson::SizeType qi = 0; qi < paragraphs->Size(); ++qi) {
                const json& para = (*paragraphs)[qi];
                if (!para.IsObject()) {
                    fail(page_path + ".blocks[" + std::to_string(bi) + "].paragraphs[" + std::to_string(qi) +
                         "] is not an object");
                }
                if (qi > 0 && text.size() > previous_start && text.back() != U' ' && text.back() != U'\n') {
                    text.push_back(U' ');
                }
                previous_start = text.size();
                const json* words = optional_array(para, "words", "fullTextAnnotation.pages[].blocks[].paragraphs[]");
                if (words == nullptr) {
                    continue;
                }
                for (rapidjson::SizeType wi = 0; wi < words->Size(); ++wi) {
                    const json& w = (*words)[wi];
                    if (!w.IsObject()) {
                        fail(path_of(pi, bi, qi, wi) + " is not an object");
                    }
                    const json* symbols = member(w, "symbols");
                    if (symbols == nullptr || !symbols->IsArray()) {
                        fail(path_of(pi, bi, qi, wi) + ".symbols " + (symbols ? "is not an array" : "missing"));
                    }
                    word out;
                    out.start = text.size();
                    for (const auto& s : symbols->GetArray()) {
                        if (!s.IsObject()) {
                            fail(path_of(pi, bi, qi, wi) + ".symbols[] item is not an object");
                        }
                        const json* st = member(s, "text");
                        if (st == nullptr || !st->IsString()) {
                            fail(path_of(pi, bi, qi, wi) + ".symbols[].text " +
                                 (st ? "is not a string" : "missing"));
                        }
                        std::u32string_view brk;
                        bool prefix = false;
                        bool has_break = false;
                        if (const json* prop = member(s, "property"); prop != nullptr && prop->IsObject()) {
                            if (const json* db = member(*prop, "detectedBreak"); db != nullptr && !db->IsNull()) {
                                if (!db->IsObject()) {
                                    fail(path_of(pi, bi, qi, wi) +
                                         ".symbols[].property.detectedBreak is not an object");
                                }
                                const std::string_view type = optional_string(*db, "type", "detectedBreak");
                                if (!break_string(type, brk)) {
                                    fail(path_of(pi, bi, qi, wi) + ".symbols[].property.detectedBreak.type '" +
                                         std::string(type) + "' is unknown");
                                }
                                has_break = true;
                                if (const json* ip = member(*db, "isPrefix"); ip != nullptr && ip->IsBool()) {
                                    prefix = ip->GetBool();
                                }
                            }
                        }
                        if (has_break && prefix) {
                            text.append(brk);
                        }
                        append_utf8(text, st->GetString(), st->GetStringLength());
                        if (has_break && !prefix) {
                            text.append(brk);
                        }
                    }
                    out.end = text.size();
                    out.vertices =
                        parse_vertices(w, "boundingBox", "fullTextAnnotation.pages[].blocks[].paragraphs[].words[]");
                    // §2.6: languages of the word.
                    bool has = false;
                    if (const json* prop = member(w, "property"); prop != nullptr && prop->IsObject()) {
                        if (const json* dl = member(*prop, "detectedLanguages"); dl != nullptr && dl->IsArray()) {
                            has = true;
                            for (const auto& l : dl->GetArray()) {
                                if (l.IsObject()) {
                                    const json* code = member(l, "languageCode");
                                    if (code != nullptr && code->IsString()) {
                                        count_language(r, {code->GetString(), code->GetStringLength()});
                                    }
                                }
                            }
                        }
                    }
                    if (!has) {
                        count_language(r, "null");
                    }
                    r.words_.push_back(std::move(out));
                }
            }
        }
    }
    // §2.3: contiguous text, '\n' and '|' inside a page become spaces; the page separators stay.
    r.contiguous_ = text;
    for (std::size_t p = 0; p < page_starts.size(); ++p) {
        const std::size_t begin = page_starts[p];
        const std::size_t end = p + 1 < page_starts.size() ? page_starts[p + 1] - 1 : text.size();
        for (std::size_t i = begin; i < end; ++i) {
            if (r.contiguous_[i] == U'\n' || r.contiguous_[i] == U'|') {
                r.contiguous_[i] = U' ';
            }
        }
    }
    finish_votes(r);
}

void ocr_result_builder::count_language(ocr_result& r, std::string_view code) {
    for (auto& [name, n] : r.languages_) {
        if (name == code) {
            ++n;
            return;
        }
    }
    r.languages_.emplace_back(std::string(code), 1);
}

void ocr_result_builder::finish_votes(ocr_result& r) {
    // §2.5 orientation votes, in order of first appearance.
    std::array<int, 5> counts{};
    std::vector<orientation> order;
    for (const word& w : r.words_) {
        if (w.vertices.empty()) {
            continue;
        }
        const orientation o = word_orientation(w.vertices);
        auto& c = counts[static_cast<int>(o)];
        if (c == 0) {
            order.push_back(o);
        }
        ++c;
    }
    int best = 0;
    for (orientation o : order) {
        const int c = counts[static_cast<int>(o)];
        r.orientation_.count.emplace_back(o, c);
        if (c > best) {
            best = c;
            r.orientation_.value = o;
        }
    }
    // §2.6: the per-language counts were gathered while reading the words; "words" comes last.
    r.languages_.emplace_back("words", static_cast<int>(r.words_.size()));
}

ocr_result ocr_result_builder::build(const json& response) {
    ocr_result r;
    if (member(response, "error") != nullptr) {
        const json* e = member(response, "error");
        std::string message;
        if (e->IsObject()) {
            message = std::string(optional_string(*e, "message", "responses[0].error"));
        }
        fail("responses[0].error present" + (message.empty() ? std::string() : ": " + message));
    }
    if (const json* ta = optional_array(response, "textAnnotations", "responses[0]")) {
        r.text_annotations_.reserve(ta->Size());
        for (const auto& a : ta->GetArray()) {
            if (!a.IsObject()) {
                fail("responses[0].textAnnotations[] item is not an object");
            }
            text_annotation t;
            t.description = std::string(optional_string(a, "description", "textAnnotations[]"));
            t.locale = std::string(optional_string(a, "locale", "textAnnotations[]"));
            t.vertices = parse_vertices(a, "boundingPoly", "textAnnotations[]");
            r.text_annotations_.push_back(std::move(t));
        }
        if (!r.text_annotations_.empty()) {
            r.fallback_text_ = text::to_u32(r.text_annotations_.front().description);
        }
    }
    if (const json* fta = optional_object(response, "fullTextAnnotation", "responses[0]")) {
        parse_full_text(*fta, r);
    }
    if (const json* logos = optional_array(response, "logoAnnotations", "responses[0]")) {
        for (const auto& a : logos->GetArray()) {
            if (!a.IsObject()) {
                fail("responses[0].logoAnnotations[] item is not an object");
            }
            r.logos_.push_back({std::string(optional_string(a, "description", "logoAnnotations[]")),
                                optional_number(a, "score", "logoAnnotations[]"),
                                std::string(optional_string(a, "mid", "logoAnnotations[]"))});
        }
    }
    if (const json* labels = optional_array(response, "labelAnnotations", "responses[0]")) {
        for (const auto& a : labels->GetArray()) {
            if (!a.IsObject()) {
                fail("responses[0].labelAnnotations[] item is not an object");
            }
            r.labels_.push_back({std::string(optional_string(a, "description", "labelAnnotations[]")),
                                 optional_number(a, "score", "labelAnnotations[]"),
                                 std::string(optional_string(a, "mid", "labelAnnotations[]"))});
        }
    }
    if (const json* ss = optional_object(response, "safeSearchAnnotation", "responses[0]")) {
        safe_search_annotation s;
        const std::string p = "responses[0].safeSearchAnnotation";
        s.adult = likelihood_rank(optional_string(*ss, "adult", p));
        s.spoof = likelihood_rank(optional_string(*ss, "spoof", p));
        s.medical = likelihood_rank(optional_string(*ss, "medical", p));
        s.violence = likelihood_rank(optional_string(*ss, "violence", p));
        s.racy = likelihood_rank(optional_string(*ss, "racy", p));
        r.safe_search_ = s;
    }
    if (const json* faces = optional_array(response, "faceAnnotations", "responses[0]")) {
        for (const auto& a : faces->GetArray()) {
            if (!a.IsObject()) {
                fail("responses[0].faceAnnotations[] item is not an object");
            }
            r.faces_.push_back({optional_number(a, "detectionConfidence", "faceAnnotations[]")});
        }
    }
    return r;
}

ocr_result ocr_result_builder::plain(std::u32string text, bool as_ocr_block) {
    ocr_result r;
    r.plain_text_ = true;
    r.full_text_ = text;
    r.contiguous_ = std::move(text);
    if (as_ocr_block) {
        for (char32_t& c : r.contiguous_) {
            if (c == U'\n' || c == U'|') {
                c = U' ';
            }
        }
    }
    return r;
}

namespace {

}  // namespace

namespace detail {

ocr_result parse_vision_buffer(std::string& buffer) {
    // The DOM lives in a per-thread arena reused across documents: parsing allocates nothing in the common
    // case (a bigger document grows the arena for the next one).
    thread_local std::vector<char> arena;
    const std::size_t wanted = std::max<std::size_t>(1 << 20, buffer.size() * 3);
    if (arena.size() > kept_scratch_bytes && wanted <= kept_scratch_bytes) {
        std::vector<char>().swap(arena);  // one huge document must not pin its memory for the thread's life
    }
    if (arena.size() < wanted) {
        arena.assign(wanted, 0);
    }
    rapidjson::MemoryPoolAllocator<> allocator(arena.data(), arena.size(), 1 << 20);
    rapidjson::Document doc(&allocator, 64 * 1024);
    // Recursive parsing (faster than the iterative mode) with the nesting depth capped by the handler, so
    // hostile input cannot exhaust the stack; Vision documents nest about 12 levels deep.
    rapidjson::Reader reader;
    core::checked_json_handler checked{doc, {}, 0};
    auto generate = [&](rapidjson::Document&) {
        rapidjson::InsituStringStream stream(buffer.data());
        reader.Parse<rapidjson::kParseInsituFlag>(stream, checked);
        return !reader.HasParseError();
    };
    doc.Populate(generate);
    if (!checked.refusal.empty()) {
        fail("not JSON we accept (" + checked.refusal + ")");
    }
    if (reader.HasParseError()) {
        fail("not JSON (offset " + std::to_string(reader.GetErrorOffset()) + ": " +
             rapidjson::GetParseError_En(reader.GetParseErrorCode()) + ")");
    }
    if (!doc.IsObject()) {
        fail("Responses field (list) expected in OCR JSON (document is not an object)");
    }
    const json* responses = member(doc, "responses");
    if (responses == nullptr || !responses->IsArray()) {
        fail("Responses field (list) expected in OCR JSON");
    }
    if (responses->Empty()) {
        fail("Empty OCR response (responses is an empty array)");
    }
    const json& first = (*responses)[0];
    if (!first.IsObject()) {
        fail("responses[0] is not an object");
    }
    return ocr_result_builder::build(first);
}

ocr_result plain_text_result(std::u32string text, bool as_ocr_block) {
    return ocr_result_builder::plain(std::move(text), as_ocr_block);
}

}  // namespace detail

}  // namespace robotoff::ocr
