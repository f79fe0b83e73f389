#include "robotoff/http/router.hpp"

#include "robotoff/core/json.hpp"

#include <algorithm>
#include <set>

namespace robotoff::http {

namespace {

std::vector<std::string_view> segments(std::string_view path) {
    std::vector<std::string_view> out;
    while (!path.empty()) {
        if (path.front() == '/') {
            path.remove_prefix(1);
            continue;
        }
        const auto slash = path.find('/');
        out.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) {
            break;
        }
        path.remove_prefix(slash);
    }
    return out;
}

bool is_placeholder(std::string_view segment) {
    return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

// Number of static segments, so that /insights/random beats /insights/{barcode}.
struct candidate {
    const route* r;
    int static_segments;
    std::map<std::string, std::string> params;
};

std::optional<candidate> match_pattern(const route& r, const std::vector<std::string_view>& path) {
    const auto pattern = segments(r.pattern);
    if (pattern.size() != path.size()) {
        return std::nullopt;
    }
    candidate c{&r, 0, {}};
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (is_placeholder(pattern[i])) {
            c.params[std::string(pattern[i].substr(1, pattern[i].size() - 2))] = std::string(path[i]);
        } else if (pattern[i] == path[i]) {
            ++c.static_segments;
        } else {
            return std::nullopt;
        }
    }
    return c;
}

}  // namespace

void router::add(route r) { routes_.push_back(std::move(r)); }

route_match router::match(std::string_view method, std::string_view path) const {
    const auto parts = segments(path);
    route_match result;
    std::optional<candidate> best;
    int best_any_static = -1;
    std::vector<std::pair<int, std::string>> others;  // (static segments, method) of path matches
    for (const auto& r : routes_) {
        auto c = match_pattern(r, parts);
        if (!c) {
            continue;
        }
        best_any_static = std::max(best_any_static, c->static_segments);
        others.emplace_back(c->static_segments, r.method);
        if (r.method == method && (!best || c->static_segments > best->static_segments)) {
            best = std::move(c);
        }
    }
    // Static segments win over placeholders across methods too: a POST-only static route
    // must not let GET fall through to a placeholder route of the same shape.
    if (best && best->static_segments == best_any_static) {
        result.matched = best->r;
        result.path_params = std::move(best->params);
        return result;
    }
    std::set<std::string> allowed;
    for (const auto& [n, m] : others) {
        if (n == best_any_static) {
            allowed.insert(m);
        }
    }
    result.allowed_methods.assign(allowed.begin(), allowed.end());
    return result;
}

std::string router::openapi_json(std::string_view version) const {
    using namespace rapidjson;
    Document doc(kObjectType);
    auto& a = doc.GetAllocator();
    doc.AddMember("openapi", "3.1.0", a);
    Value info(kObjectType);
    info.AddMember("title", "robotoffd", a);
    info.AddMember("version", Value(std::string(version).c_str(), a), a);
    info.AddMember("description",
                   "Robotoff re-implemented as one C++ daemon: insights, questions, predictions, annotation.", a);
    doc.AddMember("info", info, a);

    Value paths(kObjectType);
    std::vector<std::string> order;
    std::map<std::string, std::vector<const route*>> by_path;
    for (const auto& r : routes_) {
        if (!by_path.count(r.pattern)) {
            order.push_back(r.pattern);
        }
        by_path[r.pattern].push_back(&r);
    }
    for (const auto& pattern : order) {
        Value item(kObjectType);
        for (const route* r : by_path[pattern]) {
            Value op(kObjectType);
            op.AddMember("summary", Value(r->summary.c_str(), a), a);
            Value tags(kArrayType);
            tags.PushBack(Value(r->tag.c_str(), a), a);
            op.AddMember("tags", tags, a);
            Value params(kArrayType);
            Value form_props(kObjectType);
            Value form_required(kArrayType);
            for (const auto& p : r->params) {
                Value schema(kObjectType);
                schema.AddMember("type", Value(p.type == "array" ? "string" : p.type.c_str(), a), a);
                if (p.in == "formData") {
                    Value prop(kObjectType);
                    prop.AddMember("type", Value(p.type.c_str(), a), a);
                    prop.AddMember("description", Value(p.description.c_str(), a), a);
                    form_props.AddMember(Value(p.name.c_str(), a), prop, a);
                    if (p.required) {
                        form_required.PushBack(Value(p.name.c_str(), a), a);
                    }
                    continue;
                }
                Value param(kObjectType);
                param.AddMember("name", Value(p.name.c_str(), a), a);
                param.AddMember("in", Value(p.in.c_str(), a), a);
                param.AddMember("required", p.required || p.in == "path", a);
                param.AddMember("description", Value(p.description.c_str(), a), a);
                param.AddMember("schema", schema, a);
                params.PushBack(param, a);
            }
            // Path placeholders that were not documented explicitly.
            for (auto seg : segments(pattern)) {
                if (!is_placeholder(seg)) {
                    continue;
                }
                const std::string name(seg.substr(1, seg.size() - 2));
                const bool documented = std::any_of(r->params.begin(), r->params.end(),
                                                    [&](const param_doc& p) { return p.name == name; });
                if (documented) {
                    continue;
                }
                Value param(kObjectType);
                param.AddMember("name", Value(name.c_str(), a), a);
                param.AddMember("in", "path", a);
                param.AddMember("required", true, a);
                Value schema(kObjectType);
                schema.AddMember("type", "string", a);
                param.AddMember("schema", schema, a);
                params.PushBack(param, a);
            }
            op.AddMember("parameters", params, a);
            if (form_props.MemberCount() > 0) {
                Value schema(kObjectType);
                schema.AddMember("type", "object", a);
                schema.AddMember("properties", form_props, a);
                if (!form_required.Empty()) {
                    schema.AddMember("required", form_required, a);
                }
                Value media(kObjectType);
                media.AddMember("schema", schema, a);
                Value content(kObjectType);
                content.AddMember("application/x-www-form-urlencoded", media, a);
                Value body(kObjectType);
                body.AddMember("content", content, a);
                op.AddMember("requestBody", body, a);
            }
            Value responses(kObjectType);
            Value ok(kObjectType);
            ok.AddMember("description", "success", a);
            responses.AddMember("200", ok, a);
            Value err(kObjectType);
            err.AddMember("description", "error body {\"title\", \"description\"}", a);
            responses.AddMember("default", err, a);
            op.AddMember("responses", responses, a);
            std::string method = r->method;
            std::transform(method.begin(), method.end(), method.begin(), ::tolower);
            item.AddMember(Value(method.c_str(), a), op, a);
        }
        paths.AddMember(Value(pattern.c_str(), a), item, a);
    }
    doc.AddMember("paths", paths, a);
    return core::to_json(doc);
}

}  // namespace robotoff::http
