#pragma once
// Files embedded at build time by embed.cmake (generated embedded_files.cpp). Each table ends with a row whose
// name is null. Data arrays carry a trailing 0 byte that `size` excludes.

#include <cstddef>

namespace robotoff::questions::detail {

struct embedded_file {
    const char* name;             // language code for PO files, file name for UI assets
    const unsigned char* data;
    std::size_t size;
};

extern const embedded_file po_files[];
extern const embedded_file ui_files[];

}  // namespace robotoff::questions::detail
