#pragma once
// Helpers shared by the task files (private to the jobs module).

#include "robotoff/extract/prediction.hpp"
#include "robotoff/insights/model.hpp"
#include "robotoff/jobs/tasks.hpp"

namespace robotoff::jobs {

insights::prediction to_insight_prediction(const extract::prediction& p, core::server_type s,
                                           const std::string& barcode);

job_outcome run_import_image(task_environment& env, const job& j);
job_outcome run_download_dataset(task_environment& env, const job& j);
job_outcome run_category_matcher_batch(task_environment& env, const job& j);

}  // namespace robotoff::jobs
