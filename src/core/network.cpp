#include "robotoff/core/network.hpp"

#include "robotoff/core/config.hpp"
#include "robotoff/core/errors.hpp"

#include <boost/asio/ip/address.hpp>

namespace robotoff::core {

namespace {

std::vector<std::uint8_t> address_bytes(const std::string& text) {
    boost::system::error_code ec;
    auto a = boost::asio::ip::make_address(text, ec);
    if (ec) {
        return {};
    }
    if (a.is_v6() && a.to_v6().is_v4_mapped()) {
        a = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6());
    }
    if (a.is_v4()) {
        auto b = a.to_v4().to_bytes();
        return {b.begin(), b.end()};
    }
    auto b = a.to_v6().to_bytes();
    return {b.begin(), b.end()};
}

}  // namespace

cidr parse_cidr(const std::string& text, const std::string& setting) {
    cidr out;
    auto slash = text.find('/');
    std::string addr = text.substr(0, slash);
    out.prefix = address_bytes(addr);
    if (out.prefix.empty()) {
        throw usage_error(setting + ": invalid network '" + text + "'");
    }
    int max_bits = static_cast<int>(out.prefix.size() * 8);
    out.bits = max_bits;
    if (slash != std::string::npos) {
        auto n = parse_int(text.substr(slash + 1));
        if (!n || *n < 0 || *n > max_bits) {
            throw usage_error(setting + ": invalid prefix length in '" + text + "'");
        }
        out.bits = static_cast<int>(*n);
    }
    return out;
}

std::vector<cidr> parse_cidr_list(const std::vector<std::string>& items, const std::string& setting) {
    std::vector<cidr> out;
    for (const auto& item : items) {
        out.push_back(parse_cidr(item, setting));
    }
    return out;
}

bool in_networks(const std::string& address, const std::vector<cidr>& networks) {
    auto bytes = address_bytes(address);
    for (const auto& net : networks) {
        if (bytes.size() != net.prefix.size()) {
            continue;
        }
        bool match = true;
        for (int bit = 0; bit < net.bits && match; ++bit) {
            int byte = bit / 8;
            int mask = 0x80 >> (bit % 8);
            match = (bytes[byte] & mask) == (net.prefix[byte] & mask);
        }
        if (match) {
            return true;
        }
    }
    return false;
}

}  // namespace robotoff::core
