// Every robotoffd subcommand, in the order `robotoffd --help` lists them. Add a command here and declare
// its run_* function in commands.hpp.

#include "commands.hpp"

namespace robotoff::app {

const std::vector<command>& all_commands() {
    static const std::vector<command> table = {
        {"serve", "run the daemon: HTTP API, scheduler and workers",
         "usage: robotoffd serve [--section.key=value ...]\n"
         "Runs the HTTP API, the scheduler and the job workers until SIGTERM/SIGINT.\n"
         "Refuses to start (exit 1) when the database schema is behind: run `robotoffd migrate` first.\n",
         run_serve},
        {"migrate", "apply pending database migrations",
         "usage: robotoffd migrate\n"
         "Applies the embedded schema migrations that the database lacks, in order, each in a transaction,\n"
         "under an advisory lock (safe to run from several nodes at once).\n",
         run_migrate},
        {"check-config", "validate the configuration and exit",
         "usage: robotoffd check-config [--print-defaults | --print]\n"
         "Loads the configuration (file, environment, flags), validates it and exits 0, or prints the\n"
         "problem and exits 2. --print-defaults prints the default file (etc/robotoffd.conf);\n"
         "--print prints the effective settings and where each comes from (secrets hidden).\n",
         run_check_config},
        {"extract", "run the OCR extractors on Vision JSON files, OCR text or a product name",
         "usage: robotoffd extract [--types T1,T2] [--barcode B] [--source-image PATH] [--data-dir DIR]\n"
         "                         [--today YYYY-MM-DD] (--text TEXT | --product-name TEXT | FILE...)\n"
         "Prints one JSON object per prediction per line: type, value, value_tag, data, predictor,\n"
         "predictor_version, automatic_processing, confidence, barcode, server_type, source_image, source_file.\n"
         "FILE: Google Cloud Vision JSON (.json or .json.gz); <barcode>_<imageid>.json gives barcode and\n"
         "source image unless --barcode/--source-image are given. --text: OCR text (one block).\n"
         "--product-name: label, product_weight, brand on a product name. --types: default OCR set.\n"
         "--data-dir: overrides data.dir. --today: date used by date-relative rules (default: today, UTC).\n"
         "Exit 0 when every input was read, 1 when an input is unreadable or invalid, 2 on bad usage.\n",
         run_extract},
        {"ocr", "read images with local OCR (Tesseract) and print Google-Vision-shaped JSON",
         "usage: robotoffd ocr [--pretty] IMAGE...\n"
         "Reads each JPEG, PNG or WebP file with Tesseract (ocr.tesseract_langs, ocr.threads engines) after\n"
         "orientation detection, and prints one Vision `images:annotate` JSON document per line, in argument\n"
         "order (--pretty: indented). Boxes are in the stored pixel grid of the file (EXIF not applied).\n"
         "Files over ocr.max_image_bytes or ocr.max_image_pixels are refused. Exit 0 when every image was\n"
         "read, 1 when one was unreadable or refused (the others are still printed), 2 on bad usage.\n",
         run_ocr},
        {"import-dataset", "import an Open Food Facts JSONL dump into the product table",
         "usage: robotoffd import-dataset FILE.jsonl[.gz] [--complete] [--server-type=T] [--batch-size=N]\n"
         "Streams the dump into the product table in batches (one transaction each; memory stays bounded).\n"
         "Corrupt lines are counted and reported with their line number. A truncated gzip stream stops the\n"
         "import with an error (batches already written stay). --complete marks products absent from the\n"
         "dump as deleted. Progress bar on a terminal, one summary line otherwise. Exit 1 on a broken file.\n",
         run_import_dataset},
        {"import-predictions", "import predictions (robotoffd extract output) and generate insights",
         "usage: robotoffd import-predictions FILE.jsonl[.gz] [--server-type=T] [--type=T]\n"
         "Reads prediction lines (the `robotoffd extract` format, or the legacy forms with --type), stores them\n"
         "additively per product and runs the insight importers. Products are read from the product table.\n",
         run_import_predictions},
        {"import-robotoff", "import an existing Robotoff PostgreSQL database (switching from Robotoff)",
         "usage: robotoffd import-robotoff --from DSN [--allow-rejects] [--reject-file PATH]\n"
         "Copies Robotoff 1.85's insights (uuids kept), votes, predictions and images from DSN (read-only, one\n"
         "consistent snapshot, streamed) into database.url, which must be migrated. Barcodes are normalized,\n"
         "`off-pro` and a null server_type become off_pro and off; unknown insight types are kept and counted.\n"
         "Rows that break our rules go to the reject file (default import-robotoff-rejects.tsv: table, key,\n"
         "reason). Batches commit as they go: run it again after a stop to finish; rows already there are\n"
         "skipped. Prints a summary per table (read, written, present, merged, skipped); progress on a terminal.\n"
         "Exit 0 on success, 1 when a row was skipped (unless --allow-rejects) or on failure, 2 on bad usage.\n",
         run_import_robotoff},
        {"predict-categories", "run the category matcher over the products without categories",
         "usage: robotoffd predict-categories [--limit=N]\n"
         "Runs the category matcher (product names, pipeline.md §12) on every product of the product table that has\n"
         "no category, and imports each result as a `category` prediction (predictor matcher) through the normal\n"
         "insight rules. Progress on a terminal; one summary line at the end.\n",
         run_predict_categories},
        {"run-job", "enqueue one job and run it now, in this process",
         "usage: robotoffd run-job NAME [--barcode CODE [--server-type T] [--image-id N]] [--payload JSON]\n"
         "NAME is a job kind (pipeline.md §8) or a schedule name (process_insights, cleanup, ...). The job is\n"
         "committed to the job table like any other, then run on this thread; prints its final state.\n"
         "Exit 0 when the job is done, 1 when it failed or is waiting (retry, OCR not ready).\n",
         run_run_job},
        {"replay-events", "re-read a range of Product Opener's event streams into jobs",
         "usage: robotoffd replay-events --since ISO-TIME|ENTRY-ID [--until ISO-TIME|ENTRY-ID]\n"
         "                               [--stream product_updates|ocr_ready|all] [--force] [--dry-run]\n"
         "Reads the range with XRANGE (each stream from its own start) and handles every entry as the stream\n"
         "consumer does (intake.md §3.4), in batches of 100. Entries already handled are skipped unless --force.\n"
         "It never touches the consumer group. --dry-run prints each entry's outcome and jobs, stores nothing.\n"
         "Needs redis.url. Times are UTC. Exit 0 on success, 1 on a Redis or database failure, 2 on bad usage.\n",
         run_replay_events},
    };
    return table;
}

}  // namespace robotoff::app
