# Embeds every sql/<dialect>/**/*.sql file into one generated C++ source at build time, so the SQL lives in
# .sql files (readable, diffable, one copy per dialect family) while the library needs no files at run time.
set(PGQRS_EMBED_SQL_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed_sql_run.cmake)

function(pgqrs_embed_sql)
  cmake_parse_arguments(ARG "" "OUTPUT" "DIRS" ${ARGN})
  set(files)
  foreach(dir ${ARG_DIRS})
    file(GLOB_RECURSE found CONFIGURE_DEPENDS ${dir}/*.sql)
    list(APPEND files ${found})
  endforeach()
  list(SORT files)
  add_custom_command(OUTPUT ${ARG_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${ARG_OUTPUT} "-DFILES=${files}" -DROOT=${CMAKE_CURRENT_SOURCE_DIR}/sql
            -P ${PGQRS_EMBED_SQL_SCRIPT}
    DEPENDS ${files} ${PGQRS_EMBED_SQL_SCRIPT}
    COMMENT "Embedding SQL files"
    VERBATIM)
endfunction()
