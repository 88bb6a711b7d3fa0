#!/usr/bin/env bash
# Which Pythons the app installs and runs on, checked the way a teacher's laptop does it: for each version,
# a fresh virtual environment in a temporary folder, `pip install -r requirements.txt` (no make), then
# scripts/smoke.py (every page under AppTest on the quick sample, one epoch from the command line).
# Ends with a table: install, torch build, download, environment size, install time, smoke, what failed.
#
#   bash scripts/check-pythons.sh                 # 3.10 3.11 3.12 3.13, one after another
#   bash scripts/check-pythons.sh 3.12            # just one
#   bash scripts/check-pythons.sh --cpu-torch     # torch from PyTorch's CPU-only index first (Linux)
#
# Interpreters: pyenv's ($PYENV_ROOT/versions/X.Y.*), else pythonX.Y on the PATH; a version with neither is
# reported as not found. Each environment is deleted after its row (a Linux one with PyPI's CUDA torch is
# several GB); KEEP=1 keeps them. The logs stay in the folder named at the end.
# Not part of `make test`: it downloads a few GB and takes several minutes per version. docs/laptop.md has
# the latest table.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

CPU_INDEX=https://download.pytorch.org/whl/cpu
cpu_torch=0
versions=()
for arg in "$@"; do
    case $arg in
        --cpu-torch) cpu_torch=1 ;;
        -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) versions+=("$arg") ;;
    esac
done
[ ${#versions[@]} -gt 0 ] || versions=(3.10 3.11 3.12 3.13)
TORCH=$(grep -E '^torch==' requirements.txt | head -1)

LOGS=$(mktemp -d "${TMPDIR:-/tmp}/check-pythons.XXXXXX")
rows=()

interpreter() {  # the newest pyenv X.Y.Z, else pythonX.Y
    local v=$1 found
    found=$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$v".*/bin/python 2>/dev/null | sort -V | tail -1)
    [ -n "$found" ] && { echo "$found"; return; }
    command -v "python$v" 2>/dev/null
}

why_not_installed() {  # one line from pip's log: what it could not install, and why
    local log=$1 missing needs host
    host=$(grep -o "Failed to resolve '[^']*'" "$log" | head -1 | cut -d"'" -f2)
    if [ -n "$host" ] && grep -q 'ResolutionImpossible\|No matching distribution' "$log"; then
        echo "cannot reach $host (its name does not resolve here), so no $TORCH from it"
        return
    fi
    missing=$(grep -o 'No matching distribution found for [^ ;]*' "$log" | head -1 | sed 's/No matching distribution found for //')
    if [ -n "$missing" ]; then
        needs=$(grep -o "${missing#*==} Requires-Python [^;,]*" "$log" | head -1 | sed 's/.*Requires-Python //')
        echo "no $missing for this Python${needs:+ (it requires Python $needs)}"
        return
    fi
    grep -E '^ERROR:|error:' "$log" | grep -v 'is ignored' | tail -1 | cut -c1-160
}

for v in "${versions[@]}"; do
    py=$(interpreter "$v")
    if [ -z "$py" ]; then
        rows+=("| $v | not found | | | | | | no interpreter for $v here |")
        continue
    fi
    full=$("$py" -c 'import platform; print(platform.python_version())')
    work=$(mktemp -d "${TMPDIR:-/tmp}/check-python-$v.XXXXXX")
    log="$LOGS/$full"
    mkdir -p "$log"
    echo "== Python $full ($py): environment in $work" >&2
    export PIP_CACHE_DIR="$work/pip-cache"  # an empty cache: every wheel is fetched, as on a new laptop
    start=$(date +%s)
    ok=1
    "$py" -m venv "$work/venv" >"$log/install.log" 2>&1 || ok=0
    vpy="$work/venv/bin/python"
    if [ $ok = 1 ]; then
        "$vpy" -m pip install --upgrade pip >>"$log/install.log" 2>&1 || ok=0
    fi
    if [ $ok = 1 ] && [ $cpu_torch = 1 ]; then
        "$vpy" -m pip install "$TORCH" --index-url "$CPU_INDEX" --report "$log/torch-report.json" >>"$log/install.log" 2>&1 || ok=0
    fi
    if [ $ok = 1 ]; then
        "$vpy" -m pip install -r requirements.txt --report "$log/report.json" >>"$log/install.log" 2>&1 || ok=0
    fi
    seconds=$(( $(date +%s) - start ))
    if [ $ok = 0 ]; then
        rows+=("| $full | no | | | | ${seconds} s | not run | $(why_not_installed "$log/install.log") |")
        [ "${KEEP:-0}" = 1 ] || rm -rf "$work"
        continue
    fi
    download=$("$vpy" scripts/pip_download_size.py "$log/report.json" "$log/install.log")
    if [ -f "$log/torch-report.json" ]; then
        download="$download + torch $("$vpy" scripts/pip_download_size.py "$log/torch-report.json" "$log/install.log")"
    fi
    "$vpy" scripts/pip_download_size.py "$log/report.json" "$log/install.log" --list >"$log/download.txt"
    torch=$("$vpy" -c 'import torch; print(torch.__version__ + (f" (CUDA {torch.version.cuda})" if torch.version.cuda else ""))' 2>&1 | tail -1)
    size=$(du -sh "$work/venv" | cut -f1)
    echo "   installed in ${seconds} s, $size; smoke test..." >&2
    if "$vpy" scripts/smoke.py >"$log/smoke.log" 2>&1; then
        smoke="$(tail -1 "$log/smoke.log" | sed 's/^smoke: //')"
        failed=""
    else
        smoke="FAILED: $(tail -1 "$log/smoke.log" | sed 's/^smoke: //' | cut -d'(' -f1)"
        failed=$(grep '^FAIL' "$log/smoke.log" | sed 's/^FAIL //' | cut -c1-200 | paste -sd';' -)
    fi
    rows+=("| $full | yes | $torch | $download | $size | ${seconds} s | $smoke | $failed |")
    [ "${KEEP:-0}" = 1 ] || rm -rf "$work"
done

echo
echo "| Python | installs | torch | download | environment | install time | smoke test | what failed |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
echo
echo "Logs (pip's, each wheel's size in download.txt, the smoke test's): $LOGS" >&2
