#pragma once
// The version of this build (from CMake's project(VERSION)).

#include <string_view>

namespace robotoff::core {

std::string_view version();
// "robotoffd/<version>": the User-Agent suffix on outbound requests.
std::string_view product_token();

}  // namespace robotoff::core
