# ntm-analysis — `make` alone lists the targets. Everything runs inside the local .venv.
PY := .venv/bin/python
NTM := .venv/bin/ntm
.DEFAULT_GOAL := help

.PHONY: help setup main sample template data score costs notebooks test test-fast benchmark strip clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

setup: ## create .venv, install the package and test tools, register the Jupyter kernel
	python3 bootstrap.py setup

main: ## the main job on the sample district: sample → clean → notebooks → reports
	python3 bootstrap.py main

sample: ## (re)write the synthetic sample district into data/raw
	$(NTM) sample

template: ## write the blank, annotated input workbook to reports/
	$(NTM) template

data: ## clean data/raw into data/processed, with the data-quality report
	$(NTM) clean

score: ## score villages (data/processed) and write the Excel summary
	$(NTM) score

costs: ## cost projection, reconciliation with the plan, the Excel annex
	$(NTM) costs

notebooks: ## execute the analysis notebooks into reports/
	for nb in 01_data_quality 02_gap_analysis 03_cost_projection; do $(NTM) notebook $$nb || exit 1; done

test: ## set up and run the whole test suite
	python3 bootstrap.py test

test-fast: ## run the tests except the notebook runs
	$(PY) -m pytest -m "not notebook"

benchmark: ## run the benchmarks (figures go to benchmarks/README.md by hand; ~25 min, best on a quiet machine)
	$(PY) benchmarks/bench_clean.py
	$(PY) benchmarks/bench_score.py --repeat 3
	$(PY) benchmarks/bench_schedule.py
	$(PY) benchmarks/bench_reports.py

strip: ## remove outputs from the committed notebooks (keeps tags and kernelspec)
	.venv/bin/nbstripout notebooks/*.ipynb

clean: ## delete generated data and reports (keeps data/raw and the folders)
	find data/processed reports -type f ! -name .gitkeep ! -name README.md -delete
