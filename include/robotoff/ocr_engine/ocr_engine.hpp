#pragma once
// DESIGN: module ocr_engine, local OCR with Tesseract + OpenCV producing Google-Vision-shaped JSON
// (ocr-and-extraction.md §2.7, issue 6).
//
// Pipeline (engine.hpp), all in the stored pixel grid of the photo:
//   probe header (format, size, EXIF orientation; refuse > ocr.max_image_bytes / ocr.max_image_pixels
//   before decoding) -> decode to 8-bit grayscale WITHOUT applying EXIF -> scale so text has a size
//   Tesseract reads well -> orientation: Tesseract OSD (confident >= 2.0) else the EXIF rotation as the
//   hypothesis -> rotate upright -> recognize (LSTM, automatic page segmentation) -> map every word box back
//   to original coordinates in text reading order -> Vision `images:annotate` JSON.
// EXIF: the issue asks to honour EXIF orientation while §2.7 wants stored-grid coordinates. Both hold:
// text-based orientation detection upright-s the image whatever EXIF says, boxes stay in the stored grid,
// and the EXIF tag is only the fallback hypothesis when OSD is not confident.
//
// Threads: engine = one thread; ocr_service = the `ocr` pool (thread-safe, bounded queue, 503 when full).
// Other modules include this header (or the narrower ones) and never see Tesseract or OpenCV types.

#include "robotoff/ocr_engine/box_mapping.hpp"
#include "robotoff/ocr_engine/crop.hpp"
#include "robotoff/ocr_engine/engine.hpp"
#include "robotoff/ocr_engine/errors.hpp"
#include "robotoff/ocr_engine/image_probe.hpp"
#include "robotoff/ocr_engine/ocr_service.hpp"
#include "robotoff/ocr_engine/preprocess.hpp"
#include "robotoff/ocr_engine/vision_document.hpp"
