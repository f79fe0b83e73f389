#pragma once
// Starts tests/fake_po/fake_po.py (the fake Product Opener) on a loopback port, with a fixture directory
// built from ../shared/samples in a fresh temporary folder. Killed (SIGTERM) on destruction.

#include "support/test_support.hpp"

#include <csignal>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace robotoff::testing {

class fake_po {
public:
    fake_po() {
        fixtures_ = make_temp_dir() + "/fixtures";
        int out[2];
        if (::pipe(out) != 0) {
            throw std::runtime_error("pipe failed");
        }
        pid_ = ::fork();
        if (pid_ < 0) {
            throw std::runtime_error("fork failed");
        }
        if (pid_ == 0) {
            ::dup2(out[1], 1);
            ::close(out[0]);
            ::close(out[1]);
            std::string script = std::string(ROBOTOFF_SOURCE_DIR) + "/tests/fake_po/fake_po.py";
            std::string samples = shared_path("samples");
            ::execlp("python3", "python3", script.c_str(), "--samples", samples.c_str(), "--fixtures",
                     fixtures_.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        ::close(out[1]);
        FILE* f = ::fdopen(out[0], "r");
        char line[64] = {};
        if (!f || !std::fgets(line, sizeof line, f)) {
            stop();
            throw std::runtime_error("fake Product Opener did not start (python3 missing?)");
        }
        port_ = static_cast<std::uint16_t>(std::stoi(line));
        stdout_ = f;
    }
    ~fake_po() { stop(); }
    fake_po(const fake_po&) = delete;
    fake_po& operator=(const fake_po&) = delete;

    std::uint16_t port() const { return port_; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    const std::string& fixtures() const { return fixtures_; }

    // Recorded write requests (JSON array text).
    std::string writes() const { return http_get(port_, "/__requests").body; }
    std::string reads() const { return http_get(port_, "/__reads").body; }
    void fail(int status, int count, int delay_ms = 0, const std::string& prefix = "/") const {
        http_post_json(port_, "/__fail",
                       "{\"status\":" + std::to_string(status) + ",\"count\":" + std::to_string(count) +
                           ",\"delay_ms\":" + std::to_string(delay_ms) + ",\"prefix\":\"" + prefix + "\"}");
    }
    void reset() const { http_post_json(port_, "/__reset", "{}"); }
    void put_product(const std::string& barcode, const std::string& json) const {
        http_request(port_, "PUT", "/__product/" + barcode, json, {{"Content-Type", "application/json"}});
    }

private:
    void stop() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int status = 0;
            ::waitpid(pid_, &status, 0);
            pid_ = -1;
        }
        if (stdout_) {
            std::fclose(stdout_);
            stdout_ = nullptr;
        }
    }

    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
    std::string fixtures_;
    FILE* stdout_ = nullptr;
};

}  // namespace robotoff::testing
