// OCR on the real photos (filled in below).
#include <catch2/catch.hpp>
