// download_dataset (pipeline.md §10.1): ETag check, streamed download, integrity check + minified copy in one
// pass, import into the product table, atomic renames, then the ETag file.

#include "robotoff/core/file_io.hpp"
#include "robotoff/core/log.hpp"
#include "robotoff/products/dataset_import.hpp"
#include "tasks_internal.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

namespace robotoff::jobs {

namespace {

namespace fs = std::filesystem;

class gzip_writer {
public:
    explicit gzip_writer(const std::string& path) : path_(path), file_(gzopen(path.c_str(), "wb6")) {
        if (!file_) {
            throw core::io_error("cannot write " + path);
        }
    }
    ~gzip_writer() {
        if (file_) {
            gzclose(file_);
        }
    }
    gzip_writer(const gzip_writer&) = delete;
    gzip_writer& operator=(const gzip_writer&) = delete;
    void write(std::string_view s) {
        if (!s.empty() && gzwrite(file_, s.data(), static_cast<unsigned>(s.size())) == 0) {
            throw core::io_error("write failed on " + path_);
        }
    }
    void close() {
        if (file_ && gzclose(file_) != Z_OK) {
            file_ = nullptr;
            throw core::io_error("close failed on " + path_);
        }
        file_ = nullptr;
    }

private:
    std::string path_;
    gzFile file_;
};

// The minified record of §10.1 (nullopt: not an object or no code).
std::optional<std::string> minify(const rapidjson::Value& p, const task_settings& s) {
    if (!p.IsObject()) {
        return std::nullopt;
    }
    const auto* code = core::get_member(p, "code");
    if (!code || !code->IsString() || code->GetStringLength() == 0) {
        return std::nullopt;
    }
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.StartObject();
    auto copy = [&](const std::string& key) {
        const auto* v = core::get_member(p, key.c_str());
        if (v && !v->IsNull()) {
            w.Key(key.c_str(), static_cast<rapidjson::SizeType>(key.size()));
            v->Accept(w);
        }
    };
    for (const char* key : {"code", "lang", "product_name", "languages_codes", "categories_tags", "countries_tags",
                            "brands_tags", "stores_tags", "labels_tags", "emb_codes_tags", "quantity",
                            "expiration_date", "unique_scans_n", "last_modified_t", "states_tags",
                            "data_quality_tags", "unknown_ingredients_n"}) {
        copy(key);
    }
    for (const auto& l : s.matcher_langs) {
        copy("product_name_" + l);
    }
    for (const auto& l : s.spellcheck_langs) {
        copy("ingredients_text_" + l);
    }
    w.Key("image_ids");
    w.StartArray();
    if (const auto* images = core::get_member(p, "images"); images && images->IsObject()) {
        for (auto it = images->MemberBegin(); it != images->MemberEnd(); ++it) {
            std::string_view k(it->name.GetString(), it->name.GetStringLength());
            if (core::is_all_digits(k)) {
                w.String(k.data(), static_cast<rapidjson::SizeType>(k.size()));
            }
        }
    }
    w.EndArray();
    w.EndObject();
    return std::string(sb.GetString(), sb.GetSize());
}

std::string read_etag(const std::string& path) {
    std::ifstream in(path);
    std::string etag;
    if (in) {
        std::getline(in, etag);
    }
    return etag;
}

}  // namespace

job_outcome run_download_dataset(task_environment& env, const job& j) {
    const auto& s = env.settings;
    fs::create_directories(s.dataset_dir);
    const std::string etag_path = s.dataset_dir + "/products-etag.txt";
    const std::string final_path = s.dataset_dir + "/products.jsonl.gz";
    const std::string min_path = s.dataset_dir + "/products-min.jsonl.gz";
    const std::string tmp_path = s.dataset_dir + "/products.jsonl.gz.part";
    const std::string tmp_min = s.dataset_dir + "/products-min.jsonl.gz.part";
    std::string known = fs::exists(etag_path) ? read_etag(etag_path) : std::string();

    auto dl = env.po.download_if_changed(s.dataset_url, tmp_path, known);
    if (dl.not_modified) {
        return job_outcome::done("dataset unchanged (ETag " + known + ")");
    }
    struct remove_parts {
        std::string a, b;
        ~remove_parts() {
            std::error_code ec;
            fs::remove(a, ec);
            fs::remove(b, ec);
        }
    } cleanup{tmp_path, tmp_min};

    // Integrity + minified copy in one streaming pass.
    std::uint64_t valid = 0;
    {
        core::line_reader reader(tmp_path);
        gzip_writer out(tmp_min);
        std::string line;
        while (reader.next(line)) {
            auto doc = core::try_parse_json(line);
            if (!doc) {
                continue;
            }
            if (auto m = minify(*doc, s)) {
                ++valid;
                out.write(*m);
                out.write("\n");
            }
        }
        out.close();
    }
    if (static_cast<long long>(valid) < s.min_product_count) {
        throw std::runtime_error("dataset integrity check failed: " + std::to_string(valid) +
                                 " products with a code, at least " + std::to_string(s.min_product_count) +
                                 " required");
    }
    auto conn = env.pool.acquire();
    products::dataset_import_options opts;
    opts.complete = true;
    opts.languages = {s.spellcheck_langs, s.matcher_langs, false};
    auto summary = products::import_dataset(*conn, tmp_path, opts);
    if (!summary.error.empty()) {
        throw std::runtime_error("dataset import stopped: " + summary.error);
    }
    fs::rename(tmp_path, final_path);
    fs::rename(tmp_min, min_path);
    core::write_file_atomic(etag_path, dl.etag + "\n");
    env.metrics.set_gauge("robotoffd_dataset_download_timestamp_seconds", {},
                          core::unix_seconds(std::chrono::system_clock::now()));
    core::log::info("jobs.dataset_imported", {{"job_id", j.id},
                                              {"etag", dl.etag},
                                              {"bytes", static_cast<long long>(dl.bytes)},
                                              {"products", static_cast<long long>(summary.products)},
                                              {"marked_deleted", static_cast<long long>(summary.marked_deleted)}});
    if (env.enqueue_after_dataset) {
        env.enqueue_after_dataset();
    }
    return job_outcome::done(std::to_string(summary.products) + " products imported");
}

}  // namespace robotoff::jobs
