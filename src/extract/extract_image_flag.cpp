// §5.10 image_flag: photos to review (beauty/misc keywords, safe search, people/pet labels, faces).

#include "internal.hpp"

#include "robotoff/text/normalize.hpp"

#include <array>

namespace robotoff::extract {

namespace {

bool flagged_label(std::string_view description) {
    static constexpr std::array<std::string_view, 29> set = {
        "Face", "Head",  "Selfie", "Hair",  "Forehead", "Chin",   "Cheek",    "Arm",      "Tooth",    "Human Leg",
        "Ankle", "Eyebrow", "Ear", "Neck", "Jaw",      "Nose",   "Facial Expression", "Glasses", "Eyewear",
        "Jeans", "Shoe",  "Child", "Baby", "Human",    "Dog",    "Cat",      "Computer", "Laptop",  "Refrigerator"};
    for (auto s : set) {
        if (s == description) {
            return true;
        }
    }
    return false;
}

prediction flag(std::string data) {
    prediction p;
    p.type = "image_flag";
    p.data = std::move(data);
    p.automatic_processing = false;
    return p;
}

}  // namespace

void extract_image_flag(const document& d, const rule_data& r, std::vector<prediction>& out) {
    const auto& ocr = d.ocr();
    if (r.image_flag.loaded) {
        if (auto m = r.image_flag.matcher.find_first(d.lowered_default())) {
            out.push_back(flag(data_builder()
                                   .key("type").str("text")
                                   .key("label").str(r.image_flag.entries[m->payload].first)
                                   .key("text").str(slice(d.default_text(), m->start, m->end))
                                   .finish()));
        }
    }
    if (const auto& ss = ocr.safe_search()) {
        const int very_likely = ocr::likelihood_rank("VERY_LIKELY");
        const std::pair<const char*, int> checked[] = {{"adult", ss->adult}, {"violence", ss->violence}};
        for (const auto& [label, rank] : checked) {
            if (rank == very_likely) {
                out.push_back(flag(data_builder()
                                       .key("type").str("safe_search_annotation")
                                       .key("label").str(label)
                                       .key("likelihood").str("VERY_LIKELY")
                                       .finish()));
            }
        }
    }
    for (const auto& l : ocr.label_annotations()) {
        if (l.score >= 0.6 && flagged_label(l.description)) {
            prediction p = flag(data_builder()
                                    .key("type").str("label_annotation")
                                    .key("label").str(text::lower(l.description))
                                    .key("likelihood").number(l.score)
                                    .finish());
            p.confidence = l.score;
            out.push_back(std::move(p));
            break;
        }
    }
    const ocr::face_annotation* best = nullptr;
    for (const auto& f : ocr.face_annotations()) {
        if (best == nullptr || f.detection_confidence > best->detection_confidence) {
            best = &f;
        }
    }
    if (best != nullptr && best->detection_confidence >= 0.6) {
        prediction p = flag(data_builder()
                                .key("type").str("face_annotation")
                                .key("label").str("face")
                                .key("likelihood").number(best->detection_confidence)
                                .finish());
        p.confidence = best->detection_confidence;
        out.push_back(std::move(p));
    }
}

}  // namespace robotoff::extract
