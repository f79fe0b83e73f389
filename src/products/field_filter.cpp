#include "robotoff/products/field_filter.hpp"

#include "robotoff/core/json.hpp"
#include "robotoff/products/product.hpp"

#include <simdjson.h>

namespace robotoff::products {
namespace {

namespace od = simdjson::ondemand;

// The JSON text of one value, pointing into the line.
simdjson::error_code raw_json_of(od::value& value, std::string_view& raw) {
    od::json_type type;
    if (auto error = value.type().get(type)) {
        return error;
    }
    if (type == od::json_type::object) {
        od::object object;
        if (auto error = value.get_object().get(object)) {
            return error;
        }
        return object.raw_json().get(raw);
    }
    if (type == od::json_type::array) {
        od::array array;
        if (auto error = value.get_array().get(array)) {
            return error;
        }
        return array.raw_json().get(raw);
    }
    raw = value.raw_json_token();
    return simdjson::SUCCESS;
}

}  // namespace

// simdjson's On-Demand parser: stage 1 (finding the structure, SIMD) runs in the kernel the library picks
// for this CPU at run time; the iteration then visits only the kept values and skips over the others
// without parsing their numbers or strings.
struct field_filter::impl {
    od::parser parser;
    record_languages languages;
};

field_filter::field_filter(record_languages languages)
    : impl_(std::make_unique<impl>(impl{od::parser{}, std::move(languages)})) {}
field_filter::~field_filter() = default;

bool field_filter::filter(std::string& line, std::string& out) {
    out.clear();
    line.reserve(line.size() + simdjson::SIMDJSON_PADDING);
    od::document doc;
    if (impl_->parser.iterate(simdjson::padded_string_view(line.data(), line.size(), line.capacity())).get(doc)) {
        return false;
    }
    od::object object;
    if (doc.get_object().get(object)) {
        return false;
    }
    out += '{';
    bool first = true;
    for (auto field_result : object) {
        od::field field;
        std::string_view key;
        if (std::move(field_result).get(field) || field.unescaped_key().get(key)) {
            return false;
        }
        if (!is_record_field(key, impl_->languages)) {
            continue;
        }
        od::value value = field.value();
        std::string_view raw;
        if (raw_json_of(value, raw)) {
            return false;
        }
        core::append_json_member(out, key, raw, first);
    }
    out += '}';
    // Past the object, the document must be over: `{...} {...}` is not one product.
    return doc.current_location().error() == simdjson::OUT_OF_BOUNDS;
}

}  // namespace robotoff::products
