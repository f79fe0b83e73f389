#include "robotoff/insights/importers.hpp"

#include "robotoff/core/json.hpp"
#include "robotoff/insights/types.hpp"
#include "robotoff/text/normalize.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <unordered_set>

namespace robotoff::insights {
namespace {

rapidjson::Document parse_object(const std::string& json) {
    auto doc = core::try_parse_json(json);
    if (!doc || !doc->IsObject()) {
        rapidjson::Document empty;
        empty.SetObject();
        return empty;
    }
    return std::move(*doc);
}

long long data_priority(const std::string& data) {
    if (data.find("\"priority\"") == std::string::npos) {
        return 1;
    }
    auto doc = parse_object(data);
    return core::get_int(doc, "priority").value_or(1);
}

// Image id of a source image as a number for "newest first"; -1 when there is none (sorts last).
long long image_number(const std::optional<std::string>& source_image) {
    if (!source_image) {
        return -1;
    }
    auto stem = core::source_image_stem(*source_image);
    if (!core::is_all_digits(stem) || stem.size() > 18) {
        return -1;
    }
    return std::stoll(std::string(stem));
}

// predictor ascending, null last.
int compare_predictor(const std::optional<std::string>& a, const std::optional<std::string>& b) {
    if (a && b) {
        return a->compare(*b) < 0 ? -1 : (*a == *b ? 0 : 1);
    }
    if (a) {
        return -1;
    }
    return b ? 1 : 0;
}

bool contains(const std::vector<std::string>& v, std::string_view s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

insight from_prediction(const prediction& p) {
    insight c;
    c.barcode = p.barcode;
    c.server_type = p.server_type;
    c.type = p.type;
    c.value = p.value;
    c.value_tag = p.value_tag;
    c.data = p.data;
    c.source_image = p.source_image;
    c.predictor = p.predictor;
    c.predictor_version = p.predictor_version;
    c.confidence = p.confidence;
    c.automatic_processing = p.automatic_processing.value_or(false);
    return c;
}

std::string data_string(const std::string& data, const char* key) {
    auto doc = parse_object(data);
    auto v = core::get_string(doc, key);
    return v ? std::string(*v) : std::string();
}

// ---- per-type candidate rules (§4) ----

std::vector<insight> packager_code_candidates(const std::vector<prediction>& preds, const importer_context& ctx) {
    std::unordered_set<std::string> existing;
    if (ctx.product) {
        for (const auto& tag : ctx.product->emb_codes_tags) {
            existing.insert(text::emb_code_key(tag));
        }
    }
    std::vector<insight> out;
    for (const auto& p : preds) {
        if (!p.value || existing.count(text::emb_code_key(*p.value)) > 0) {
            continue;
        }
        out.push_back(from_prediction(p));
    }
    return out;
}

// label and category share "canonicalize, drop known/ancestor of known, keep deepest".
std::vector<insight> taxonomy_candidates(const std::vector<prediction>& preds, const importer_context& ctx,
                                         const taxonomy::taxonomy* tax, const std::vector<std::string>& product_tags,
                                         bool drop_unresolvable, bool is_label) {
    std::vector<insight> selected;
    for (const auto& p : preds) {
        if (!p.value_tag) {
            continue;
        }
        std::string tag = *p.value_tag;
        if (tax) {
            auto canonical = tax->canonical(tag);
            if (canonical) {
                tag = *canonical;
            } else if (drop_unresolvable) {
                continue;
            }
        }
        if (is_label && (tag == "en:eu-agriculture" || tag == "en:non-eu-agriculture")) {
            continue;
        }
        if (contains(product_tags, tag) || (tax && tax->is_ancestor_of_any(tag, product_tags))) {
            continue;
        }
        insight c = from_prediction(p);
        c.value_tag = tag;
        if (is_label) {
            if (!p.automatic_processing.has_value() && p.predictor &&
                (*p.predictor == "regex" || *p.predictor == "flashtext")) {
                c.automatic_processing = ctx.references && ctx.references->label_whitelist.count(tag) > 0;
            }
        } else {
            c.automatic_processing = false;
        }
        selected.push_back(std::move(c));
    }
    if (!tax) {
        return selected;  // taxonomy not loaded: the taxonomy-based rules are disabled
    }
    std::vector<std::string> tags;
    for (const auto& c : selected) {
        tags.push_back(*c.value_tag);
    }
    std::vector<insight> out;
    for (auto& c : selected) {
        if (!tax->contains(*c.value_tag) || tax->is_ancestor_of_any(*c.value_tag, tags)) {
            continue;
        }
        out.push_back(std::move(c));
    }
    return out;
}

std::vector<insight> product_weight_candidates(const std::vector<prediction>& preds, const importer_context& ctx) {
    if ((ctx.product && !ctx.product->quantity.empty()) || preds.empty()) {
        return {};
    }
    const prediction& chosen = preds.front();
    insight c = from_prediction(chosen);
    std::string matcher_type = data_string(chosen.data, "matcher_type");
    std::set<std::string> values;
    for (const auto& p : preds) {
        if (data_string(p.data, "matcher_type") == matcher_type) {
            values.insert(p.value.value_or(""));
        }
    }
    if (values.size() > 1 || data_string(chosen.data, "source") == "product_name") {
        c.automatic_processing = false;
    }
    return {c};
}

std::vector<insight> expiration_date_candidates(const std::vector<prediction>& preds, const importer_context& ctx) {
    if ((ctx.product && !ctx.product->expiration_date.empty()) || preds.empty()) {
        return {};
    }
    const prediction* best = nullptr;
    for (const auto& p : preds) {
        if (p.value && (!best || *p.value > *best->value)) {
            best = &p;
        }
    }
    if (!best) {
        return {};
    }
    insight c = from_prediction(*best);
    bool differs = std::any_of(preds.begin(), preds.end(), [&](const prediction& p) { return p.value != best->value; });
    if (differs) {
        c.automatic_processing = false;
    }
    return {c};
}

std::vector<insight> brand_candidates(const std::vector<prediction>& preds, const importer_context& ctx) {
    if (ctx.product && !ctx.product->brands_tags.empty()) {
        return {};
    }
    std::vector<insight> out;
    for (const auto& p : preds) {
        if (!p.value_tag) {
            continue;
        }
        bool listed = p.predictor && (*p.predictor == "curated-list" || *p.predictor == "taxonomy");
        if (listed && ctx.references) {
            if (ctx.references->brand_blacklist.count(*p.value_tag) > 0) {
                continue;
            }
            if (!ctx.references->brand_prefix_allowed(*p.value_tag, p.barcode)) {
                continue;
            }
        }
        out.push_back(from_prediction(p));
    }
    return out;
}

std::vector<insight> store_candidates(const std::vector<prediction>& preds, const importer_context& ctx) {
    std::vector<insight> out;
    for (const auto& p : preds) {
        if (!p.value_tag || (ctx.product && contains(ctx.product->stores_tags, *p.value_tag))) {
            continue;
        }
        insight c = from_prediction(p);
        c.automatic_processing = true;
        out.push_back(std::move(c));
    }
    return out;
}

// ---- packaging ----

using element = packaging_element;

std::optional<std::string> element_tag(const rapidjson::Value& obj, const char* key) {
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd()) {
        return std::nullopt;
    }
    if (it->value.IsString()) {
        return std::string(it->value.GetString());
    }
    if (it->value.IsObject()) {
        for (const char* sub : {"value_tag", "id"}) {
            auto s = core::get_string(it->value, sub);
            if (s) {
                return std::string(*s);
            }
        }
    }
    return std::nullopt;
}

element prediction_element(const std::string& data) {
    auto doc = parse_object(data);
    element e;
    const auto* el = core::get_member(doc, "element");
    if (el && el->IsObject()) {
        e.shape = element_tag(*el, "shape");
        e.material = element_tag(*el, "material");
        e.recycling = element_tag(*el, "recycling");
    }
    return e;
}

bool shape_only_excluded(const element& e) {
    static const std::unordered_set<std::string> weak = {
        "en:tray", "en:packaging", "en:backing", "en:packet", "en:string", "en:bowl", "en:sheet", "en:net",
        "en:pouch-flask", "en:spoon", "en:tablespoon", "en:mold", "en:cutlery", "en:overpack", "en:plate",
        "en:basket", "en:wedge"};
    return e.shape && !e.material && !e.recycling && weak.count(*e.shape) > 0;
}

}  // namespace

bool packaging_uninformative(const packaging_element& cand, const packaging_element& comp,
                             const importer_context& ctx) {
    const std::optional<std::string> c[3] = {cand.shape, cand.material, cand.recycling};
    const std::optional<std::string> r[3] = {comp.shape, comp.material, comp.recycling};
    const taxonomy::taxonomy* const tax[3] = {ctx.packaging_shapes, ctx.packaging_materials, ctx.packaging_recycling};
    for (int i = 0; i < 3; ++i) {
        if (!c[i]) {
            continue;
        }
        if (!tax[i] || !tax[i]->contains(*c[i])) {
            return true;  // an unknown candidate tag adds nothing we can trust
        }
        if (!r[i] || !tax[i]->contains(*r[i])) {
            return false;
        }
        if (tax[i]->is_descendant(*c[i], *r[i])) {
            return false;  // the candidate is more precise than the product
        }
        if (i == 0 && !(*c[i] == *r[i] || tax[i]->is_descendant(*r[i], *c[i]))) {
            return false;
        }
    }
    return true;
}

namespace {

std::vector<element> product_components(const products::product& p) {
    std::vector<element> out;
    auto doc = core::try_parse_json(p.packagings_json);
    if (!doc || !doc->IsArray()) {
        return out;
    }
    for (const auto& item : doc->GetArray()) {
        if (!item.IsObject()) {
            continue;
        }
        element e;
        e.shape = element_tag(item, "shape");
        e.material = element_tag(item, "material");
        e.recycling = element_tag(item, "recycling");
        out.push_back(e);
    }
    return out;
}

std::vector<insight> packaging_candidates(const std::vector<prediction>& preds, const importer_context& ctx) {
    std::vector<element> components;
    if (ctx.product) {
        components = product_components(*ctx.product);
    }
    std::vector<insight> out;
    for (const auto& p : preds) {
        element e = prediction_element(p.data);
        if (!e.shape || shape_only_excluded(e)) {
            continue;
        }
        bool uninformative = std::any_of(components.begin(), components.end(), [&](const element& r) {
            return packaging_uninformative(e, r, ctx);
        });
        if (uninformative) {
            continue;
        }
        insight cand = from_prediction(p);
        cand.automatic_processing = false;
        out.push_back(std::move(cand));
    }
    return out;
}

// ---- nutrition_image (§4.9) ----

std::vector<insight> nutrition_image_candidates(const std::vector<prediction>& preds, const importer_context& ctx) {
    std::map<long long, std::vector<const prediction*>, std::greater<>> by_image;
    for (const auto& p : preds) {
        long long n = image_number(p.source_image);
        if (n >= 0) {
            by_image[n].push_back(&p);
        }
    }
    std::vector<insight> out;
    for (const auto& [image, group] : by_image) {
        const prediction* mention = nullptr;
        const prediction* orientation = nullptr;
        const prediction* nutrient = nullptr;
        for (const auto* p : group) {
            if (p->type == "nutrient_mention" && !mention) {
                mention = p;
            } else if (p->type == "image_orientation" && !orientation) {
                orientation = p;
            } else if (p->type == "nutrient" && !nutrient) {
                nutrient = p;
            }
        }
        if (!mention || !orientation) {
            continue;
        }
        auto mdoc = parse_object(mention->data);
        auto odoc = parse_object(orientation->data);
        const auto* mentions = core::get_member(mdoc, "mentions");
        if (!mentions || !mentions->IsObject()) {
            continue;
        }
        double box[4] = {0, 0, 0, 0};
        bool has_box = false;
        std::map<std::string, std::set<std::string>> keys_by_lang;
        int value_mentions = 0;
        bool has_energy = false;
        for (const auto& m : mentions->GetObject()) {
            std::string key = m.name.GetString();
            if (!m.value.IsArray()) {
                continue;
            }
            for (const auto& item : m.value.GetArray()) {
                if (!item.IsObject()) {
                    continue;
                }
                const auto* b = core::get_member(item, "bounding_box_absolute");
                if (b && b->IsArray() && b->Size() == 4 && (*b)[0].IsNumber()) {
                    double v[4];
                    for (rapidjson::SizeType i = 0; i < 4; ++i) {
                        v[i] = (*b)[i].IsNumber() ? (*b)[i].GetDouble() : 0.0;
                    }
                    if (!has_box) {
                        std::copy(v, v + 4, box);
                        has_box = true;
                    } else {
                        box[0] = std::min(box[0], v[0]);
                        box[1] = std::min(box[1], v[1]);
                        box[2] = std::max(box[2], v[2]);
                        box[3] = std::max(box[3], v[3]);
                    }
                }
                if (key == "nutrient_value") {
                    ++value_mentions;
                    auto raw = core::get_string(item, "raw");
                    if (raw) {
                        std::string lower = text::lower(*raw);
                        if (lower.find("kcal") != std::string::npos || lower.find("kj") != std::string::npos) {
                            has_energy = true;
                        }
                    }
                    continue;
                }
                const auto* langs = core::get_member(item, "languages");
                if (langs && langs->IsArray()) {
                    for (const auto& l : langs->GetArray()) {
                        if (l.IsString()) {
                            keys_by_lang[l.GetString()].insert(key);
                        }
                    }
                }
            }
        }
        if (value_mentions < 3 || !has_energy) {
            continue;
        }
        for (const auto& [lang, keys] : keys_by_lang) {
            if (keys.size() < 4) {
                continue;
            }
            if (ctx.product) {
                if (lang != ctx.product->lang || ctx.product->image("nutrition_" + lang) != nullptr) {
                    continue;
                }
            }
            rapidjson::StringBuffer buf;
            rapidjson::Writer<rapidjson::StringBuffer> w(buf);
            w.StartObject();
            w.Key("priority");
            w.Int(nutrient ? 1 : 2);
            w.Key("from_prediction_ids");
            w.StartObject();
            w.Key("nutrient_mention");
            w.Int64(mention->id);
            if (nutrient) {
                w.Key("nutrient");
                w.Int64(nutrient->id);
            }
            w.EndObject();
            w.Key("rotation");
            const auto* rot = core::get_member(odoc, "rotation");
            if (rot) {
                rot->Accept(w);
            } else {
                w.Int(0);
            }
            if (has_box) {
                w.Key("bounding_box_absolute");
                w.StartArray();
                w.Double(box[0] - 10);
                w.Double(box[1] - 10);
                w.Double(box[2] + 10);
                w.Double(box[3] + 10);
                w.EndArray();
            }
            w.Key("nutrients");
            w.StartArray();
            for (const auto& k : keys) {
                w.String(k.c_str());
            }
            w.EndArray();
            w.EndObject();
            insight c = from_prediction(*mention);
            c.type = "nutrition_image";
            c.value = std::nullopt;
            c.value_tag = lang;
            c.data = buf.GetString();
            c.confidence = std::nullopt;
            c.automatic_processing = true;
            out.push_back(std::move(c));
        }
    }
    return out;
}

// ---- image_orientation (§4.10) ----

std::vector<insight> image_orientation_candidates(const std::vector<prediction>& preds, const importer_context& ctx) {
    std::vector<insight> out;
    for (const auto& p : preds) {
        auto doc = parse_object(p.data);
        auto orientation = core::get_string(doc, "orientation");
        auto rotation = core::get_int(doc, "rotation");
        if (!orientation || *orientation == "up" || !rotation || *rotation == 0) {
            continue;
        }
        const auto* counts = core::get_member(doc, "count");
        if (!counts || !counts->IsObject()) {
            continue;
        }
        double total = 0;
        double mine = 0;
        for (const auto& m : counts->GetObject()) {
            if (m.value.IsNumber()) {
                total += m.value.GetDouble();
                if (std::string_view(m.name.GetString()) == *orientation) {
                    mine = m.value.GetDouble();
                }
            }
        }
        if (total <= 0) {
            continue;
        }
        double confidence = mine / total;
        if (confidence < 0.95) {
            continue;
        }
        if (!ctx.product || !p.source_image) {
            continue;
        }
        std::string image_id(core::source_image_stem(*p.source_image));
        for (const auto& [key, entry] : ctx.product->images) {
            bool selectable = key.starts_with("front") || key.starts_with("ingredients") ||
                              key.starts_with("nutrition") || key.starts_with("packaging");
            if (!selectable || core::is_all_digits(key) || entry.imgid != image_id) {
                continue;
            }
            long long angle = entry.angle.value_or(0);
            if (angle < 0) {
                angle += 360;
            }
            if (angle == *rotation) {
                continue;
            }
            rapidjson::Document data;
            data.CopyFrom(doc, data.GetAllocator());
            data.RemoveMember("image_key");
            data.RemoveMember("image_rev");
            data.AddMember("image_key", rapidjson::Value(key.c_str(), data.GetAllocator()), data.GetAllocator());
            data.AddMember("image_rev", rapidjson::Value(entry.rev.c_str(), data.GetAllocator()), data.GetAllocator());
            insight c = from_prediction(p);
            c.value_tag = std::string(*orientation);
            c.data = core::to_json(data);
            c.confidence = confidence;
            c.automatic_processing = total >= 10;
            out.push_back(std::move(c));
        }
    }
    return out;
}

std::vector<insight> ingredient_spellcheck_candidates(const std::vector<prediction>& preds,
                                                      const importer_context& ctx) {
    std::vector<insight> out;
    for (const auto& p : preds) {
        if (!p.value_tag) {
            continue;
        }
        auto doc = parse_object(p.data);
        auto original = core::get_string(doc, "original");
        auto correction = core::get_string(doc, "correction");
        if (!original || !correction || *original == *correction) {
            continue;
        }
        if (ctx.product) {
            if (ctx.product->text("ingredients_text_" + *p.value_tag) != *original ||
                ctx.product->lang != *p.value_tag) {
                continue;
            }
        }
        insight c = from_prediction(p);
        c.automatic_processing = false;
        out.push_back(std::move(c));
    }
    return out;
}

// Shortest text that reads back as the same double.
std::string json_number(double v) {
    char buf[64];
    for (int precision = 1; precision <= 17; ++precision) {
        std::snprintf(buf, sizeof buf, "%.*g", precision, v);
        if (std::strtod(buf, nullptr) == v) {
            break;
        }
    }
    return buf;
}

// §3.3 applied to a candidate: data.bounding_box_absolute -> data.bounding_box + column.
void convert_box(insight& c, const importer_context& ctx) {
    if (c.data.find("bounding_box") == std::string::npos) {
        return;
    }
    auto doc = parse_object(c.data);
    const auto* abs = core::get_member(doc, "bounding_box_absolute");
    std::optional<std::string> rel;
    if (abs && abs->IsArray() && abs->Size() == 4 && c.source_image && ctx.product) {
        const auto* img = ctx.product->image(core::source_image_stem(*c.source_image));
        if (img && img->full_width && img->full_height) {
            std::vector<double> v;
            for (const auto& x : abs->GetArray()) {
                v.push_back(x.IsNumber() ? x.GetDouble() : 0.0);
            }
            rel = relative_box(v, static_cast<double>(*img->full_width), static_cast<double>(*img->full_height));
        }
    }
    if (abs) {
        doc.RemoveMember("bounding_box_absolute");
    }
    doc.RemoveMember("bounding_box");
    if (rel) {
        auto box = core::parse_json(*rel);
        rapidjson::Value copy(box, doc.GetAllocator());
        doc.AddMember("bounding_box", copy, doc.GetAllocator());
        c.bounding_box = rel;
    } else {
        c.bounding_box = std::nullopt;
    }
    c.data = core::to_json(doc);
}

}  // namespace

std::optional<std::string> relative_box(const std::vector<double>& a, double width, double height) {
    if (a.size() != 4 || width <= 0 || height <= 0) {
        return std::nullopt;
    }
    double r[4] = {std::max(0.0, a[0] / height), std::max(0.0, a[1] / width), std::min(1.0, a[2] / height),
                   std::min(1.0, a[3] / width)};
    std::string out = "[";
    for (int i = 0; i < 4; ++i) {
        if (i > 0) {
            out += ',';
        }
        out += json_number(r[i]);
    }
    out += ']';
    return out;
}

void sort_predictions(std::vector<prediction>& preds) {
    std::stable_sort(preds.begin(), preds.end(), [](const prediction& a, const prediction& b) {
        long long pa = data_priority(a.data), pb = data_priority(b.data);
        if (pa != pb) {
            return pa < pb;
        }
        long long ia = image_number(a.source_image), ib = image_number(b.source_image);
        if (ia != ib) {
            return ia > ib;
        }
        return compare_predictor(a.predictor, b.predictor) < 0;
    });
}

void sort_candidates(std::string_view type, std::vector<insight>& cands) {
    if (type == "packaging") {
        std::stable_sort(cands.begin(), cands.end(), [](const insight& a, const insight& b) {
            return prediction_element(a.data).properties() > prediction_element(b.data).properties();
        });
        return;
    }
    std::stable_sort(cands.begin(), cands.end(), [](const insight& a, const insight& b) {
        long long pa = data_priority(a.data), pb = data_priority(b.data);
        if (pa != pb) {
            return pa < pb;
        }
        long long ia = image_number(a.source_image), ib = image_number(b.source_image);
        if (ia != ib) {
            return ia > ib;
        }
        if (a.automatic_processing != b.automatic_processing) {
            return a.automatic_processing;
        }
        return compare_predictor(a.predictor, b.predictor) < 0;
    });
}

std::vector<insight> generate_candidates(std::string_view type, std::vector<prediction> preds,
                                         const importer_context& ctx) {
    if (type == "packaging") {
        std::stable_sort(preds.begin(), preds.end(), [](const prediction& a, const prediction& b) {
            return prediction_element(a.data).properties() > prediction_element(b.data).properties();
        });
    } else {
        sort_predictions(preds);
    }
    std::vector<insight> cands;
    if (type == "packager_code") {
        cands = packager_code_candidates(preds, ctx);
    } else if (type == "label") {
        static const std::vector<std::string> none;
        cands = taxonomy_candidates(preds, ctx, ctx.labels, ctx.product ? ctx.product->labels_tags : none, false,
                                    true);
    } else if (type == "category") {
        static const std::vector<std::string> none;
        cands = taxonomy_candidates(preds, ctx, ctx.categories, ctx.product ? ctx.product->categories_tags : none,
                                    true, false);
    } else if (type == "product_weight") {
        cands = product_weight_candidates(preds, ctx);
    } else if (type == "expiration_date") {
        cands = expiration_date_candidates(preds, ctx);
    } else if (type == "brand") {
        cands = brand_candidates(preds, ctx);
    } else if (type == "store") {
        cands = store_candidates(preds, ctx);
    } else if (type == "packaging") {
        cands = packaging_candidates(preds, ctx);
    } else if (type == "nutrition_image") {
        cands = nutrition_image_candidates(preds, ctx);
    } else if (type == "image_orientation") {
        cands = image_orientation_candidates(preds, ctx);
    } else if (type == "ingredient_spellcheck") {
        cands = ingredient_spellcheck_candidates(preds, ctx);
    }
    std::vector<insight> out;
    for (auto& c : cands) {
        // Step 5: a candidate tied to an image the product no longer has is dropped.
        if (c.source_image && ctx.product &&
            !ctx.product->has_image_id(core::source_image_stem(*c.source_image))) {
            continue;
        }
        convert_box(c, ctx);
        out.push_back(std::move(c));
    }
    return out;
}

bool conflicts(std::string_view type, const insight& a, const insight& b, const importer_context& ctx) {
    if (type == "packager_code" || type == "product_weight" || type == "expiration_date") {
        return a.value == b.value;
    }
    if (type == "label" || type == "category") {
        if (a.value_tag == b.value_tag) {
            return true;
        }
        const taxonomy::taxonomy* tax = type == "label" ? ctx.labels : ctx.categories;
        return tax && a.value_tag && b.value_tag && tax->is_descendant(*b.value_tag, *a.value_tag);
    }
    if (type == "packaging") {
        return prediction_element(a.data).shape == prediction_element(b.data).shape;
    }
    if (type == "image_orientation") {
        return a.source_image == b.source_image && data_string(a.data, "image_key") == data_string(b.data, "image_key");
    }
    return a.value_tag == b.value_tag;  // brand, store, nutrition_image, ingredient_spellcheck
}

void set_derived_fields(insight& c, const importer_context& ctx) {
    c.timestamp = ctx.now;
    c.process_after = c.automatic_processing ? std::optional<std::string>(ctx.process_after) : std::nullopt;
    c.reserved_barcode = is_reserved_barcode(c.barcode);
    if (c.type == "label" || c.type == "category") {
        if (ctx.product) {
            c.with_image = !ctx.product->image_ids().empty();
        } else {
            c.with_image = ctx.product_check ? std::optional<bool>(false) : std::nullopt;
        }
    } else {
        c.with_image = c.source_image.has_value();
    }
    if (ctx.product) {
        c.countries = ctx.product->countries_tags;
        c.brands = ctx.product->brands_tags;
        c.unique_scans_n = ctx.product->unique_scans_n;
    } else {
        c.countries.clear();
        c.brands.clear();
        c.unique_scans_n = 0;
    }
    c.campaign.clear();
    if (c.type == "category") {
        if (ctx.categories && c.value_tag && ctx.categories->property(*c.value_tag, "agribalyse_food_code")) {
            c.campaign.push_back("agribalyse-category");
        }
        if (ctx.product && ctx.product->categories_tags.empty()) {
            c.campaign.push_back("missing-category");
        }
    }
    if (c.type == "ingredient_spellcheck" && c.value_tag) {
        c.lc = std::vector<std::string>{*c.value_tag};
    } else {
        c.lc = std::nullopt;
    }
}

import_plan reconcile(std::string_view type, std::vector<insight> cands, const std::vector<insight>& refs,
                      const importer_context& ctx) {
    sort_candidates(type, cands);
    std::vector<const insight*> locked, open;
    for (const auto& r : refs) {
        (r.annotation.has_value() || r.automatic_processing ? locked : open).push_back(&r);
    }
    std::vector<bool> matched(open.size(), false);
    std::vector<insight> selected;
    import_plan plan;
    for (auto& c : cands) {
        bool discard = std::any_of(locked.begin(), locked.end(), [&](const insight* r) {
            return conflicts(type, c, *r, ctx);
        });
        if (!discard) {
            discard = std::any_of(selected.begin(), selected.end(), [&](const insight& s) {
                return conflicts(type, c, s, ctx);
            });
        }
        if (discard) {
            continue;
        }
        selected.push_back(c);
        insight row = std::move(c);
        set_derived_fields(row, ctx);
        bool updated = false;
        for (std::size_t i = 0; i < open.size(); ++i) {
            if (!matched[i] && open[i]->source_image == row.source_image && conflicts(type, row, *open[i], ctx)) {
                matched[i] = true;
                row.id = open[i]->id;
                row.n_votes = open[i]->n_votes;
                plan.updates.push_back(std::move(row));
                updated = true;
                break;
            }
        }
        if (!updated) {
            plan.inserts.push_back(std::move(row));
        }
    }
    for (std::size_t i = 0; i < open.size(); ++i) {
        if (!matched[i]) {
            plan.deletes.push_back(open[i]->id);
        }
    }
    return plan;
}

import_plan plan_import(std::string_view type, const std::vector<prediction>& preds, const std::vector<insight>& refs,
                        const importer_context& ctx) {
    import_plan plan;
    if (ctx.product_check && !ctx.product) {
        for (const auto& r : refs) {
            if (!r.annotation) {
                plan.deletes.push_back(r.id);
            }
        }
        return plan;
    }
    std::vector<prediction> inputs;
    const auto& input_types = input_prediction_types(type);
    for (const auto& p : preds) {
        if (contains(input_types, p.type)) {
            inputs.push_back(p);
        }
    }
    const auto& required = required_prediction_types(type);
    // Every required type must have at least one stored prediction.
    bool has_required = std::all_of(required.begin(), required.end(), [&](const std::string& t) {
        return std::any_of(inputs.begin(), inputs.end(), [&](const prediction& p) { return p.type == t; });
    });
    std::vector<insight> cands;
    if (has_required) {
        cands = generate_candidates(type, std::move(inputs), ctx);
    }
    return reconcile(type, std::move(cands), refs, ctx);
}

}  // namespace robotoff::insights
