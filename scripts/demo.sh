#!/usr/bin/env bash
# Build a sample ledger from scratch and show its main outputs.
# Creates .venv and installs on first use. Everything it writes goes to demo-out/.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

OUT=demo-out
rm -rf "$OUT"
mkdir -p "$OUT"
export LEDGER_DATABASE_URL="sqlite:///$PWD/$OUT/demo.db"
export LEDGER_USER="demo.sagsbehandler"
ledger() { .venv/bin/ledger "$@"; }
section() { printf '\n\033[1m=== %s ===\033[0m\n' "$*"; }
show() { printf '\n$ ledger %s\n' "$*"; ledger "$@"; }

section "A new ledger, and a realistic sample of cases (scripts/demo/cases.jsonl)"
show init
show takster load scripts/demo/takster.json
show submit scripts/demo/cases.jsonl

section "One decision at a terminal: a visit to Engly"
show tilsynsbesoeg T-1002 --date 2025-06-12 --form uanmeldt

section "Unlawful decisions are refused, naming the rule; nothing is written"
printf '\n$ ledger paabud T-1007 ... (no prior dialog, not straks)\n'
ledger paabud T-1007 --date 2025-05-02 --forhold "Vagtplan" --frist 2025-06-01 --karakter organisatorisk --begrundelse "Fund" || echo "(exit code $?)"
printf '\n$ ledger skaerpet-tilsyn T-1001 ... (6 months, no påbud)\n'
ledger skaerpet-tilsyn T-1001 --date 2025-05-02 --periode-til 2025-11-02 --baggrund kvalitet --straks-begrundelse "Akut risiko" --begrundelse "x" || echo "(exit code $?)"

printf '\n$ ledger godkendelse T-1008 ... (Lærkely Gruppen ApS, head address in Nord, applied to Socialtilsyn Syd)\n'
ledger godkendelse T-1008 --date 2025-06-02 --begrundelse "Opfylder betingelserne" || echo "(exit code $?)"
show offers --koncern "Lærkely Gruppen ApS"

section "Approval with vilkår, and a fravigelse that lapses by its period alone"
show status T-1001 --as-of 2025-03-01
show status T-1001 --as-of 2025-07-01

section "Dialog, then a påbud with a longer frist, then complied"
show history T-1002

section "Skærpet tilsyn decided together with a påbud"
show status T-1003 --as-of 2024-12-15

section "A revoked approval: the complaint kept it approved until Ankestyrelsen decided"
show status T-1004 --as-of 2025-07-01
show history T-1004

section "A revoked approval straks, and a correction that supersedes a wrong record"
show status T-1005 --as-of 2025-03-18
show history PF-2001

section "Chapter 2: an association employing helpers (SEL §§ 95-96) through approval and ophør"
printf '\n$ ledger arbejdsgiver-ophoer AG-301 ... --straks (chapter 2 has no straks)\n'
ledger arbejdsgiver-ophoer AG-301 --date 2025-06-01 --baggrund strafbare_forhold --straks --straks-begrundelse "Mistanke om underslæb" --begrundelse "x" || echo "(exit code $?)"
show history AG-301
show status AG-301 --as-of 2025-09-01

section "All offers today"
show offers

section "The deadline radar on 1 January 2025"
show deadlines --as-of 2025-01-01 --within 45

section "The § 18 statistics for 2025"
show stats 2025

section "Takster and fees for 2025 (bek §§ 27-29)"
show fees 2025 --region Nord

section "The spindelvæv of Lærkely's latest assessment (never public)"
show quality T-1001 --chart "$OUT/spindelvaev-T-1001.png"

section "The Tilbudsportal view"
show portal show T-1001 --as-of 2025-04-20
show portal export --out "$OUT/portal" --as-of 2025-04-20

section "The complaint file for Ankestyrelsen"
show complaint file T-1004/K1 --out "$OUT/klagesag"

section "Tamper evidence: verify the chain, publish the digest"
show verify
DIGEST=$(ledger digest 2>/dev/null)
show verify --digest "$DIGEST"

section "The projections against the ledger's head"
show projections status
show projections check

printf '\nDone. The ledger is %s; the portal site is %s/portal/index.html\n' "$OUT/demo.db" "$OUT"
