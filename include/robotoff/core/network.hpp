#pragma once
// Client networks in settings (legacy.allowed_cidrs, http.trusted_proxies): "10.0.0.0/8", "fd00::/8" or a
// bare address. IPv4-mapped IPv6 addresses ("::ffff:10.1.2.3") are matched as the IPv4 address they carry.

#include <cstdint>
#include <string>
#include <vector>

namespace robotoff::core {

struct cidr {
    std::vector<std::uint8_t> prefix;  // 4 or 16 bytes
    int bits = 0;
};

// Throws core::usage_error naming `setting` for a malformed entry.
cidr parse_cidr(const std::string& text, const std::string& setting);
std::vector<cidr> parse_cidr_list(const std::vector<std::string>& items, const std::string& setting);
// True when `address` is inside one of `networks` (an empty list contains nothing).
bool in_networks(const std::string& address, const std::vector<cidr>& networks);

}  // namespace robotoff::core
