# Compiler settings shared by every target of ours (not by third-party code).

# Sanitizers for our code, for the variant builds of scripts/test-sanitizers.sh
# and scripts/fuzz.sh: "address,undefined", "thread", "fuzzer-no-link,address,...".
set(SETTINGS_SANITIZE "" CACHE STRING "Sanitizers to build our targets with (-fsanitize=...)")

function(project_target_defaults target)
    target_compile_features(${target} PUBLIC cxx_std_20)
    set_target_properties(${target} PROPERTIES CXX_EXTENSIONS OFF)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
    if(SETTINGS_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
    if(SETTINGS_SANITIZE)
        target_compile_options(${target} PRIVATE
            "-fsanitize=${SETTINGS_SANITIZE}" -fno-omit-frame-pointer -fno-sanitize-recover=all)
        # Build-tree only: an installed library never asks its users for a sanitizer.
        target_link_options(${target} PUBLIC
            "$<BUILD_INTERFACE:-fsanitize=${SETTINGS_SANITIZE}>")
    endif()
endfunction()
