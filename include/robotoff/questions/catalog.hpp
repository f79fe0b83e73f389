#pragma once
// Message catalogs for question texts and the annotation page (questions.md §5): gettext PO files, msgid =
// English text, msgstr = translation. Immutable once built; share it read-only across threads
// (std::shared_ptr<const catalog>) and build a new one to reload.

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace robotoff::questions {

class po_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

using message_map = std::unordered_map<std::string, std::string>;

// Parses PO text: `msgid`/`msgstr` pairs with continuation lines and C escapes; comments skipped; the header
// entry (empty msgid), entries with an empty msgstr (= missing), `msgctxt` entries and plural entries are left
// out. Throws po_error "<origin>:<line>: <reason>" on malformed input. Pure, thread-safe.
message_map parse_po(std::string_view text, std::string_view origin);

// "pt_BR" -> "pt", "fr-CA" -> "fr", "fr" -> "fr" (lower-cased).
std::string base_language(std::string_view lang);

class catalog {
public:
    // Adds (or replaces) one language's messages.
    void set_language(const std::string& lang, message_map messages);

    // Lookup for `lang`: exact code, then the part before '_' or '-', then English, then the msgid itself.
    std::string translate(std::string_view lang, std::string_view msgid) const;
    // The language whose messages `translate` would use first for `lang` ("pt_BR" -> "pt", "xx" -> "en").
    std::string resolve_language(std::string_view lang) const;
    std::vector<std::string> languages() const;
    std::size_t size(const std::string& lang) const;

    // The PO files embedded in the binary (src/questions/i18n/<lang>/LC_MESSAGES/robotoff.po).
    static std::shared_ptr<const catalog> builtin();
    // builtin() plus every <dir>/<lang>/LC_MESSAGES/robotoff.po (those override the embedded language
    // wholesale; new languages are added). Empty dir = builtin only. Throws po_error on a malformed file.
    // Blocks (file I/O).
    static std::shared_ptr<const catalog> load(const std::string& dir);

private:
    const message_map* find(std::string_view lang) const;
    std::map<std::string, message_map, std::less<>> by_lang_;
};

}  // namespace robotoff::questions
