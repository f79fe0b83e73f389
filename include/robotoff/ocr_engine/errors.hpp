#pragma once
// Errors of the local OCR engine. Image problems are the caller's input: client errors (400, or 413 when the
// image is too large) so the HTTP error mapper answers them as they are; a full OCR pool is
// core::service_unavailable (503); a broken Tesseract installation is an engine_error (start-up failure).

#include "robotoff/core/errors.hpp"

#include <stdexcept>
#include <string>

namespace robotoff::ocr_engine {

enum class image_problem {
    too_many_bytes,    // over ocr.max_image_bytes
    too_many_pixels,   // header dimensions over ocr.max_image_pixels
    unsupported,       // not JPEG, PNG or WebP
    corrupt,           // header unreadable, truncated data, decoder failure
};

const char* to_string(image_problem problem);

class image_error : public core::client_error {
public:
    image_error(image_problem problem, const std::string& description)
        : core::client_error(problem == image_problem::too_many_bytes || problem == image_problem::too_many_pixels
                                 ? 413
                                 : 400,
                             problem == image_problem::too_many_bytes || problem == image_problem::too_many_pixels
                                 ? "Image too large"
                                 : "Invalid image",
                             description),
          problem_(problem) {}

    image_problem problem() const noexcept { return problem_; }

private:
    image_problem problem_;
};

// Every engine is busy and the queue in front of them is full: answer 503 + Retry-After.
class busy_error : public core::service_unavailable {
public:
    using core::service_unavailable::service_unavailable;
};

// Tesseract could not be initialised (missing language data, bad tessdata path) or failed mid-way.
class engine_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The request's deadline passed before or during recognition.
class deadline_error : public core::service_unavailable {
public:
    using core::service_unavailable::service_unavailable;
};

}  // namespace robotoff::ocr_engine
