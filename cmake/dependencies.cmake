# Every dependency comes from a Debian package (scripts/install-deps.sh installs them).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(Boost 1.81 REQUIRED COMPONENTS program_options iostreams locale)
find_package(PostgreSQL REQUIRED)           # libpq-dev
find_package(RapidJSON REQUIRED)            # rapidjson-dev
find_package(simdjson REQUIRED)             # libsimdjson-dev (the dump importer's field filter)
find_package(ICU REQUIRED COMPONENTS uc i18n)
find_package(ZLIB REQUIRED)
find_package(OpenSSL REQUIRED)
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)   # libhiredis-dev (Product Opener's Redis Streams)
pkg_check_modules(TESSERACT REQUIRED IMPORTED_TARGET tesseract)
pkg_check_modules(LEPTONICA REQUIRED IMPORTED_TARGET lept)
find_package(OpenCV REQUIRED COMPONENTS core imgproc imgcodecs)
# libstemmer-dev ships no pkg-config file.
find_library(STEMMER_LIBRARY stemmer REQUIRED)
find_path(STEMMER_INCLUDE_DIR libstemmer.h REQUIRED)
find_package(Catch2 REQUIRED)               # catch2 (2.13)

if(NOT TARGET rapidjson)
    add_library(rapidjson INTERFACE IMPORTED)
    set_target_properties(rapidjson PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${RAPIDJSON_INCLUDE_DIRS}")
    target_compile_definitions(rapidjson INTERFACE RAPIDJSON_HAS_STDSTRING=1)
endif()
add_library(stemmer INTERFACE IMPORTED)
set_target_properties(stemmer PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${STEMMER_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${STEMMER_LIBRARY}")
