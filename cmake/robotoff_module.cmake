# robotoff_warnings(target): the project's warning set, errors in the test build.
function(robotoff_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
    if(ROBOTOFF_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()

if(ROBOTOFF_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer)
    add_link_options(-fsanitize=address,undefined)
endif()

# robotoff_module(NAME SOURCES... [DEPS targets...]): the static library robotoff_<NAME>, whose public
# headers live in include/robotoff/<NAME>/ and private ones beside the sources.
function(robotoff_module name)
    cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
    add_library(robotoff_${name} STATIC ${ARG_SOURCES})
    target_include_directories(robotoff_${name}
        PUBLIC ${PROJECT_SOURCE_DIR}/include
        PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
    target_link_libraries(robotoff_${name} PUBLIC ${ARG_DEPS})
    robotoff_warnings(robotoff_${name})
endfunction()
