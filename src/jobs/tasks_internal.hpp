#pragma once
// Helpers shared by the task files (private to the jobs module).

#include "robotoff/extract/prediction.hpp"
#include "robotoff/insights/model.hpp"
#include "robotoff/jobs/tasks.hpp"
#include "robotoff/spellcheck/spellchecker.hpp"

namespace robotoff::jobs {

insights::prediction to_insight_prediction(const extract::prediction& p, core::server_type s,
                                           const std::string& barcode);

// The payload's server_type and barcode; throw (the job fails) when missing or invalid.
core::server_type payload_server(const job& j);
std::string payload_barcode(const job& j);

job_outcome run_import_image(task_environment& env, const job& j);
job_outcome run_product_type_switched(task_environment& env, const job& j);
job_outcome run_download_dataset(task_environment& env, const job& j);
job_outcome run_category_matcher_batch(task_environment& env, const job& j);
job_outcome run_build_spellcheck_corpus(task_environment& env, const job& j);
job_outcome run_spellcheck_batch(task_environment& env, const job& j);
job_outcome run_refresh_all(task_environment& env, const job& j);
// An ingredient_spellcheck prediction for `text` (nullopt: no correction).
std::optional<insights::prediction> spellcheck_prediction(const spellcheck::spellchecker& checker,
                                                          core::server_type s, const std::string& barcode,
                                                          const std::string& text, const std::string& lang,
                                                          double confidence);

}  // namespace robotoff::jobs
