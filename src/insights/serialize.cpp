#include "robotoff/insights/serialize.hpp"

#include "robotoff/core/json.hpp"

#include <cstdio>
#include <cstdlib>

namespace robotoff::insights {
namespace {

const char* const field_names[] = {"id", "barcode", "type", "data", "timestamp", "completed_at", "annotation",
                                   "annotated_result", "n_votes", "username", "countries", "brands",
                                   "process_after", "value_tag", "value", "source_image", "automatic_processing",
                                   "server_type", "unique_scans_n", "reserved_barcode", "predictor",
                                   "predictor_version", "campaign", "confidence", "bounding_box", "lc",
                                   "with_image"};

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

std::string string_list(const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        core::append_json_string(out, items[i]);
    }
    out += ']';
    return out;
}

// Each cell in JSON notation (or empty for null), then CSV-quoted where needed.
struct cells {
    std::vector<std::optional<std::string>> values;  // raw cell text; nullopt = null
};

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

std::string opt_int(const std::optional<int>& v) { return v ? std::to_string(*v) : "null"; }

// (field value as JSON text, is_string) for every field, in order; shared by JSON and CSV.
std::vector<std::pair<std::string, bool>> fields_of(const insight& x) {
    auto str = [](const std::optional<std::string>& s) -> std::pair<std::string, bool> {
        if (!s) {
            return {"null", false};
        }
        return {*s, true};
    };
    std::vector<std::pair<std::string, bool>> f;
    f.reserve(27);
    f.push_back({x.id, true});
    f.push_back({x.barcode, true});
    f.push_back({x.type, true});
    f.push_back({x.data.empty() ? std::string("{}") : x.data, false});
    f.push_back({x.timestamp, true});
    f.push_back(str(x.completed_at));
    f.push_back({opt_int(x.annotation), false});
    f.push_back({opt_int(x.annotated_result), false});
    f.push_back({std::to_string(x.n_votes), false});
    f.push_back(str(x.username));
    f.push_back({string_list(x.countries), false});
    f.push_back({string_list(x.brands), false});
    f.push_back(str(x.process_after));
    f.push_back(str(x.value_tag));
    f.push_back(str(x.value));
    f.push_back(str(x.source_image));
    f.push_back({x.automatic_processing ? "true" : "false", false});
    f.push_back({std::string(core::to_string(x.server_type)), true});
    f.push_back({std::to_string(x.unique_scans_n), false});
    f.push_back({x.reserved_barcode ? "true" : "false", false});
    f.push_back(str(x.predictor));
    f.push_back(str(x.predictor_version));
    f.push_back({string_list(x.campaign), false});
    f.push_back({x.confidence ? number(*x.confidence) : std::string("null"), false});
    f.push_back({x.bounding_box ? *x.bounding_box : std::string("null"), false});
    f.push_back({x.lc ? string_list(*x.lc) : std::string("null"), false});
    f.push_back({x.with_image ? (*x.with_image ? "true" : "false") : "null", false});
    return f;
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
    auto f = fields_of(x);
    out += '{';
    for (std::size_t i = 0; i < f.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        core::append_json_string(out, field_names[i]);
        out += ':';
        if (f[i].second) {
            core::append_json_string(out, f[i].first);
        } else {
            out += f[i].first;
        }
    }
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
    for (std::size_t i = 0; i < std::size(field_names); ++i) {
        if (i > 0) {
            out += ',';
        }
        out += field_names[i];
    }
    out += "\r\n";
    return out;
}

void append_insight_csv(std::string& out, const insight& x) {
    auto f = fields_of(x);
    for (std::size_t i = 0; i < f.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        if (!f[i].second && f[i].first == "null") {
            continue;  // null -> empty cell
        }
        csv_cell(out, f[i].first);
    }
    out += "\r\n";
}

}  // namespace robotoff::insights
