// §5.13 packaging (French): shape [en] material [material] [à recycling] elements, deterministic scan.

#include "internal.hpp"

#include "robotoff/core/json.hpp"
#include "robotoff/text/normalize.hpp"

#include <array>

namespace robotoff::extract {

namespace {

// Default text lower-cased, ASCII-folded, whitespace runs collapsed to one space.
std::u32string normalize(std::u32string_view t) {
    const std::u32string folded = text::ascii_fold(text::lower(t));
    std::u32string out;
    out.reserve(folded.size());
    for (char32_t c : folded) {
        if (text::is_space(c)) {
            if (out.empty() || out.back() != U' ') {
                out.push_back(U' ');
            }
        } else {
            out.push_back(c);
        }
    }
    return out;
}

bool dropped_without_details(std::string_view tag) {
    static constexpr std::array<std::string_view, 17> tags = {
        "en:tray", "en:packaging", "en:backing", "en:packet", "en:string", "en:bowl", "en:sheet", "en:net",
        "en:pouch-flask", "en:spoon", "en:tablespoon", "en:mold", "en:cutlery", "en:overpack", "en:plate",
        "en:basket", "en:wedge"};
    for (auto t : tags) {
        if (t == tag) {
            return true;
        }
    }
    return false;
}

struct part {
    std::uint32_t payload;
    std::size_t end;
};

// The longest phrase of `list` at `pos` (which the caller put on a word start).
std::optional<part> phrase_at(const keyword_list& list, std::u32string_view t, std::size_t pos) {
    if (pos >= t.size()) {
        return std::nullopt;
    }
    if (auto m = list.matcher.longest_at(t, pos)) {
        return part{m->payload, m->end};
    }
    return std::nullopt;
}

// One space then something at the next position.
std::size_t after_space(std::u32string_view t, std::size_t pos) {
    return (pos < t.size() && t[pos] == U' ') ? pos + 1 : std::u32string_view::npos;
}

void put(data_builder& b, const char* key, const keyword_list& list, const std::optional<part>& p) {
    if (!p) {
        return;
    }
    const auto& [phrase, id] = list.entries[p->payload];
    b.key(key).begin_object().key("value").str(phrase).key("value_tag").str(id).end_object();
}

}  // namespace

void extract_packaging(const document& d, const rule_data& r, std::vector<prediction>& out) {
    if (!r.packaging_shapes.loaded || !r.packaging_materials.loaded || !r.packaging_recycling.loaded) {
        return;
    }
    const std::u32string t = normalize(d.default_text());
    const auto& shapes = r.packaging_shapes;
    const auto& materials = r.packaging_materials;
    const auto& recycling = r.packaging_recycling;
    std::size_t i = 0;
    while (i < t.size()) {
        const bool word_start = i == 0 || !text::is_word_char(t[i - 1]);
        std::optional<part> shape = word_start ? phrase_at(shapes, t, i) : std::nullopt;
        if (!shape) {
            ++i;
            continue;
        }
        std::size_t pos = shape->end;
        std::optional<part> material;
        std::optional<part> recycle;
        // [" en"] material [material]
        if (std::size_t s = after_space(t, pos); s != std::u32string_view::npos) {
            if (t.compare(s, 3, U"en ") == 0) {
                material = phrase_at(materials, t, s + 3);
            }
            if (!material) {
                material = phrase_at(materials, t, s);
            }
            if (material) {
                pos = material->end;
                if (std::size_t s2 = after_space(t, pos); s2 != std::u32string_view::npos) {
                    if (auto second = phrase_at(materials, t, s2)) {
                        material = second;
                        pos = second->end;
                    }
                }
            }
        }
        // [" a " recycling]
        if (t.compare(pos, 3, U" a ") == 0) {
            if (auto rec = phrase_at(recycling, t, pos + 3)) {
                recycle = rec;
                pos = rec->end;
            }
        }
        i = pos;
        const std::string& shape_tag = shapes.entries[shape->payload].second;
        if (!material && !recycle && dropped_without_details(shape_tag)) {
            continue;
        }
        // data-model.md §3.3: {"shape":..,"material":..,"recycling":..} with tags or null.
        std::string value = "{\"shape\":";
        core::append_json_string(value, shape_tag);
        value += ",\"material\":";
        if (material) {
            core::append_json_string(value, materials.entries[material->payload].second);
        } else {
            value += "null";
        }
        value += ",\"recycling\":";
        if (recycle) {
            core::append_json_string(value, recycling.entries[recycle->payload].second);
        } else {
            value += "null";
        }
        value += "}";
        data_builder b;
        b.key("lang").str("fr");
        b.key("element").begin_object();
        put(b, "shape", shapes, shape);
        put(b, "material", materials, material);
        put(b, "recycling", recycling, recycle);
        b.end_object();
        prediction p;
        p.type = "packaging";
        p.value = std::move(value);
        p.data = b.finish();
        p.predictor = "grammar";
        p.automatic_processing = false;
        out.push_back(std::move(p));
    }
}

}  // namespace robotoff::extract
