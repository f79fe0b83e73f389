#include "robotoff/insights/serialize.hpp"

#include "robotoff/core/json.hpp"

#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace robotoff::insights {
namespace {

std::string number(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    // Prefer the shortest form that reads back the same value.
    for (int precision = 1; precision <= 17; ++precision) {
        char shorter[64];
        std::snprintf(shorter, sizeof shorter, "%.*g", precision, v);
        if (std::strtod(shorter, nullptr) == v) {
            return shorter;
        }
    }
    return buf;
}

void emit(std::string& out, const char* key, const std::optional<std::string>& v, bool& first) {
    if (!first) {
        out += ',';
    }
    first = false;
    core::append_json_string(out, key);
    out += ':';
    if (v) {
        core::append_json_string(out, *v);
    } else {
        out += "null";
    }
}


std::string_view int_text(long long v, char (&buf)[24]) {
    const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
    return {buf, static_cast<std::size_t>(end - buf)};
}

std::string_view bool_text(bool v) { return v ? "true" : "false"; }

// Calls field(name, value, is_string) for every field of `x`, in the API order (shared by JSON and CSV):
// `value` is the raw string when is_string, else the JSON text of a number, list, object, true/false/null.
// `value` is only valid during the call. No copy of the insight's strings: this runs for every insight of
// every answer.
template <typename Field>
void visit_fields(const insight& x, Field&& field) {
    char buf[24];
    std::string list;
    auto text = [&](const char* name, const std::optional<std::string>& v) {
        if (v) {
            field(name, *v, true);
        } else {
            field(name, "null", false);
        }
    };
    auto optional_int = [&](const char* name, const std::optional<int>& v) {
        field(name, v ? int_text(*v, buf) : std::string_view("null"), false);
    };
    auto strings = [&](const char* name, const std::vector<std::string>& items) {
        list = core::json_string_array(items);
        field(name, list, false);
    };
    field("id", x.id, true);
    field("barcode", x.barcode, true);
    field("type", x.type, true);
    field("data", x.data.empty() ? std::string_view("{}") : std::string_view(x.data), false);
    field("timestamp", x.timestamp, true);
    text("completed_at", x.completed_at);
    optional_int("annotation", x.annotation);
    optional_int("annotated_result", x.annotated_result);
    field("n_votes", int_text(x.n_votes, buf), false);
    text("username", x.username);
    strings("countries", x.countries);
    strings("brands", x.brands);
    text("process_after", x.process_after);
    text("value_tag", x.value_tag);
    text("value", x.value);
    text("source_image", x.source_image);
    field("automatic_processing", bool_text(x.automatic_processing), false);
    field("server_type", core::to_string(x.server_type), true);
    field("unique_scans_n", int_text(x.unique_scans_n, buf), false);
    field("reserved_barcode", bool_text(x.reserved_barcode), false);
    text("predictor", x.predictor);
    text("predictor_version", x.predictor_version);
    strings("campaign", x.campaign);
    if (x.confidence) {
        list = number(*x.confidence);
        field("confidence", list, false);
    } else {
        field("confidence", "null", false);
    }
    field("bounding_box", x.bounding_box ? std::string_view(*x.bounding_box) : std::string_view("null"), false);
    if (x.lc) {
        strings("lc", *x.lc);
    } else {
        field("lc", "null", false);
    }
    field("with_image", x.with_image ? bool_text(*x.with_image) : std::string_view("null"), false);
}

void csv_cell(std::string& out, std::string_view text) {
    bool quote = text.find_first_of(",\"\r\n") != std::string_view::npos;
    if (!quote) {
        out += text;
        return;
    }
    out += '"';
    for (char c : text) {
        if (c == '"') {
            out += '"';
        }
        out += c;
    }
    out += '"';
}

}  // namespace

void append_insight_json(std::string& out, const insight& x) {
    char separator = '{';
    visit_fields(x, [&](std::string_view name, std::string_view value, bool is_string) {
        out += separator;
        separator = ',';
        out += '"';
        out += name;  // plain ASCII names: nothing to escape
        out += "\":";
        if (is_string) {
            core::append_json_string(out, value);
        } else {
            out += value;
        }
    });
    out += '}';
}

std::string insight_json(const insight& x) {
    std::string out;
    append_insight_json(out, x);
    return out;
}

void append_prediction_json(std::string& out, const prediction& p) {
    bool first = true;
    out += '{';
    core::append_json_member(out, "id", p.id > 0 ? std::to_string(p.id) : std::string("null"), first);
    emit(out, "barcode", p.barcode, first);
    emit(out, "type", p.type, first);
    core::append_json_member(out, "data", p.data.empty() ? std::string("{}") : p.data, first);
    emit(out, "timestamp", p.timestamp.empty() ? std::nullopt : std::optional<std::string>(p.timestamp), first);
    emit(out, "value_tag", p.value_tag, first);
    emit(out, "value", p.value, first);
    emit(out, "source_image", p.source_image, first);
    core::append_json_member(out, "automatic_processing",
             p.automatic_processing ? (*p.automatic_processing ? "true" : "false") : "null", first);
    emit(out, "predictor", p.predictor, first);
    emit(out, "predictor_version", p.predictor_version, first);
    core::append_json_member(out, "confidence", p.confidence ? number(*p.confidence) : std::string("null"), first);
    emit(out, "server_type", std::string(core::to_string(p.server_type)), first);
    out += '}';
}

std::string insight_csv_header() {
    std::string out;
    visit_fields(insight{}, [&](std::string_view name, std::string_view, bool) {
        if (!out.empty()) {
            out += ',';
        }
        out += name;
    });
    out += "\r\n";
    return out;
}

void append_insight_csv(std::string& out, const insight& x) {
    bool first = true;
    visit_fields(x, [&](std::string_view, std::string_view value, bool is_string) {
        if (!first) {
            out += ',';
        }
        first = false;
        if (is_string || value != "null") {  // null -> empty cell
            csv_cell(out, value);
        }
    });
    out += "\r\n";
}

}  // namespace robotoff::insights
