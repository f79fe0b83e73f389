#include "robotoff/text/regex.hpp"

#include "robotoff/text/normalize.hpp"

#define PCRE2_CODE_UNIT_WIDTH 32
#include <pcre2.h>

#include <utility>

namespace robotoff::text {

namespace {

// Match data big enough for every pattern of the project; one per thread, reused across calls.
constexpr uint32_t max_pairs = 64;

struct match_data_holder {
    pcre2_match_data_32* data = pcre2_match_data_create_32(max_pairs, nullptr);
    ~match_data_holder() { pcre2_match_data_free_32(data); }
};

pcre2_match_data_32* thread_match_data() {
    thread_local match_data_holder holder;
    return holder.data;
}

pcre2_code_32* as_code(void* p) { return static_cast<pcre2_code_32*>(p); }

}  // namespace

regex::regex(std::string_view pattern, unsigned flags) : pattern_(pattern) {
    const std::u32string wide = to_u32(pattern);
    uint32_t options = PCRE2_UTF | PCRE2_UCP;
    if (flags & caseless) {
        options |= PCRE2_CASELESS;
    }
    int error_code = 0;
    PCRE2_SIZE error_offset = 0;
    pcre2_code_32* code = pcre2_compile_32(reinterpret_cast<PCRE2_SPTR32>(wide.data()), wide.size(), options,
                                           &error_code, &error_offset, nullptr);
    if (code == nullptr) {
        PCRE2_UCHAR32 buffer[256];
        const int n = pcre2_get_error_message_32(error_code, buffer, 256);
        std::u32string message(reinterpret_cast<const char32_t*>(buffer), n > 0 ? static_cast<std::size_t>(n) : 0);
        throw regex_error("invalid regex '" + pattern_ + "' at offset " + std::to_string(error_offset) + ": " +
                          to_utf8(message));
    }
    // JIT is an optimisation: if the platform lacks it, the interpreter gives the same results.
    pcre2_jit_compile_32(code, PCRE2_JIT_COMPLETE);
    code_ = code;
}

regex::~regex() {
    if (code_ != nullptr) {
        pcre2_code_free_32(as_code(code_));
    }
}

regex::regex(regex&& other) noexcept
    : pattern_(std::move(other.pattern_)), code_(std::exchange(other.code_, nullptr)) {}

regex& regex::operator=(regex&& other) noexcept {
    if (this != &other) {
        if (code_ != nullptr) {
            pcre2_code_free_32(as_code(code_));
        }
        pattern_ = std::move(other.pattern_);
        code_ = std::exchange(other.code_, nullptr);
    }
    return *this;
}

std::optional<regex_match> regex::run(std::u32string_view text, std::size_t from, bool anchored) const {
    if (from > text.size()) {
        return std::nullopt;
    }
    pcre2_match_data_32* md = thread_match_data();
    const uint32_t options = PCRE2_NO_UTF_CHECK | (anchored ? PCRE2_ANCHORED : 0u);
    // An empty view may have a null data pointer; PCRE2 wants a valid one.
    static const char32_t empty_text[1] = {0};
    const auto* subject = reinterpret_cast<PCRE2_SPTR32>(text.empty() ? empty_text : text.data());
    const int rc = pcre2_match_32(as_code(code_), subject, text.size(), from, options, md, nullptr);
    if (rc < 0) {
        if (rc == PCRE2_ERROR_NOMATCH) {
            return std::nullopt;
        }
        // Resource limits on pathological input: treat as no match rather than failing the document.
        return std::nullopt;
    }
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer_32(md);
    const uint32_t pairs = rc == 0 ? pcre2_get_ovector_count_32(md) : static_cast<uint32_t>(rc);
    uint32_t capture_count = 0;
    pcre2_pattern_info_32(as_code(code_), PCRE2_INFO_CAPTURECOUNT, &capture_count);
    regex_match m;
    m.start = ov[0];
    m.end = ov[1];
    m.groups.resize(capture_count + 1, {regex_match::npos, regex_match::npos});
    for (uint32_t i = 0; i < pairs && i <= capture_count; ++i) {
        if (ov[2 * i] != PCRE2_UNSET) {
            m.groups[i] = {ov[2 * i], ov[2 * i + 1]};
        }
    }
    if (PCRE2_SPTR32 mark = pcre2_get_mark_32(md)) {
        const auto* p = reinterpret_cast<const char32_t*>(mark);
        const std::size_t len = static_cast<std::size_t>(mark[-1]);
        m.mark = std::u32string_view(p, len);
    }
    return m;
}

std::optional<regex_match> regex::search(std::u32string_view text, std::size_t from) const {
    return run(text, from, false);
}

std::optional<regex_match> regex::match_at(std::u32string_view text, std::size_t at) const {
    return run(text, at, true);
}

std::vector<regex_match> regex::find_all(std::u32string_view text) const {
    std::vector<regex_match> out;
    std::size_t from = 0;
    while (from <= text.size()) {
        auto m = run(text, from, false);
        if (!m) {
            break;
        }
        from = m->end > m->start ? m->end : m->end + 1;
        out.push_back(std::move(*m));
    }
    return out;
}

}  // namespace robotoff::text
