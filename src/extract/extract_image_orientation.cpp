// §5.11 image_orientation: the word-orientation vote of §2.5, one prediction per OCR document.

#include "internal.hpp"

namespace robotoff::extract {

void extract_image_orientation(const document& d, const rule_data&, std::vector<prediction>& out) {
    if (!d.ocr().has_full_text_annotation()) {
        return;
    }
    const auto& votes = d.ocr().orientation_votes();
    data_builder b;
    b.key("count").begin_object();
    for (const auto& [o, n] : votes.count) {
        const std::string_view name = ocr::to_string(o);
        b.key(name.data()).integer(n);
    }
    b.end_object();
    b.key("orientation").str(ocr::to_string(votes.value));
    b.key("rotation").integer(ocr::rotation_degrees(votes.value));
    prediction p;
    p.type = "image_orientation";
    p.data = b.finish();
    out.push_back(std::move(p));
}

}  // namespace robotoff::extract
