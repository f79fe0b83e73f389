# Generates a C++ file holding every src/db/migrations/NNNN_name.sql as a raw string literal.
# Invoked at build time with -DSOURCE_DIR=... -DOUTPUT=...
file(GLOB files "${SOURCE_DIR}/*.sql")
list(SORT files)
set(body "")
foreach(f IN LISTS files)
    get_filename_component(name "${f}" NAME_WE)
    string(REGEX MATCH "^[0-9]+" number "${name}")
    math(EXPR version "${number}")
    file(READ "${f}" sql)
    string(APPEND body "        {${version}, \"${name}\", R\"robotoff_sql(${sql})robotoff_sql\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp" "// Generated from src/db/migrations/*.sql: do not edit.\n#include \"robotoff/db/migrations.hpp\"\n\nnamespace robotoff::db {\n\nstd::vector<migration> generated_migrations() {\n    return {\n${body}    };\n}\n\n}  // namespace robotoff::db\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUTPUT}.tmp" "${OUTPUT}")
