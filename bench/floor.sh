#!/usr/bin/env bash
# The floor: LibreOffice alone converting the given .docx files, one batch call per core
# (each with its own fresh profile, no Python around it). LibreOffice 7.4 silently skips the
# files after about the 247th of one call, so a core with more files makes consecutive calls
# of at most 200.
#   bench/floor.sh OUTDIR JOBS FILE.docx...
set -euo pipefail
out=$1 jobs=$2
shift 2
files=("$@")
count=${#files[@]}
size=$(( (count + jobs - 1) / jobs ))
profiles=$(mktemp -d /tmp/dossier-floor-XXXXXX)
for ((i = 0; i < jobs; i++)); do
  chunk=("${files[@]:i*size:size}")
  [ ${#chunk[@]} -eq 0 ] && continue
  (
    for ((j = 0; j < ${#chunk[@]}; j += 200)); do
      soffice "-env:UserInstallation=file://$profiles/$i" --headless --norestore --nolockcheck \
        --convert-to pdf --outdir "$out" "${chunk[@]:j:200}" >/dev/null 2>&1
    done
  ) &
done
wait
rm -rf "$profiles"
