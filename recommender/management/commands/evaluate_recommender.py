import json
from datetime import datetime, timezone
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from recommender.evaluation import (
    LabelledFileError, draw_confusion_matrix, evaluate_pipeline, public_report, read_labelled_file,
)
from recommender.model_store import ModelUnavailable, load_model


class Command(BaseCommand):
    help = (
        "라벨이 붙은 TSV/CSV(category_id, text, 선택: source)로 분류 모델을 평가합니다: macro F1, 정확도, top-2, "
        "카테고리별·출처별 성능, 자주 헷갈린 10쌍, 정규화한 혼동 행렬 PNG와 JSON 보고서."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="평가할 파일 (.tsv는 탭, 그 밖은 쉼표 구분)")
        parser.add_argument("--model", help="평가할 모델 파일 (기본: 배포된 모델)")
        parser.add_argument("--out", default=str(settings.BASE_DIR / "reports" / "evaluation"),
                            help="보고서(JSON)와 혼동 행렬(PNG)을 쓸 폴더")

    def handle(self, *args, **options):
        model_path = Path(options["model"] or settings.RECOMMENDER_MODEL_PATH)
        try:
            model = load_model(model_path)
        except ModelUnavailable as error:
            raise CommandError(str(error)) from error
        # Every file is read and checked before anything is scored or written.
        try:
            files = [read_labelled_file(path) for path in options["paths"]]
        except LabelledFileError as error:
            raise CommandError(f"평가 파일 오류, 아무것도 쓰지 않았습니다: {error}") from error
        names = [labelled.name for labelled in files]
        if len(set(names)) != len(names):
            raise CommandError("이름이 같은 파일을 한 번에 평가할 수 없습니다 (보고서 파일 이름이 겹칩니다).")

        reports = [(labelled, evaluate_pipeline(model.pipeline, labelled)) for labelled in files]
        out_dir = Path(options["out"])
        out_dir.mkdir(parents=True, exist_ok=True)
        evaluated_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        for labelled, report in reports:
            picture = draw_confusion_matrix(
                labelled.category_ids, report["_predicted"], out_dir / f"{labelled.name}_confusion.png",
                title=f"정규화한 혼동 행렬: {labelled.path.name} ({report['rows']}행, 행 기준)",
            )
            document = {
                "file": labelled.path.name, "model_version": model.version, "evaluated_at": evaluated_at,
                **public_report(report), "picture": picture.name,
            }
            json_path = out_dir / f"{labelled.name}.json"
            json_path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            self._print(labelled, report, model.version)
            self.stdout.write(f"  보고서: {json_path}, 그림: {picture}\n")

    def _print(self, labelled, report, version):
        write = self.stdout.write
        write(self.style.SUCCESS(
            f"{labelled.path.name}: {report['rows']}행 (모델 {version}) — macro F1 {report['f1_macro']:.3f}, "
            f"정확도 {report['accuracy']:.3f}, top-2 {report['top2']:.3f}"
        ))
        write(f"  {'카테고리':<10} {'정밀도':>6} {'재현율':>6} {'F1':>6} {'행':>5}")
        for name, row in report["per_category"].items():
            write(f"  {name:<10} {row['precision']:>7.3f} {row['recall']:>7.3f} {row['f1']:>7.3f} {row['support']:>5}")
        if "per_source" in report:
            write("  출처별:")
            for source, row in report["per_source"].items():
                write(f"    {source}: {row['rows']}행, macro F1 {row['f1_macro']:.3f}, "
                      f"정확도 {row['accuracy']:.3f}, top-2 {row['top2']:.3f}")
        if report["confusions"]:
            write("  자주 헷갈린 쌍 (실제 → 예측):")
            for confusion in report["confusions"]:
                write(f"    {confusion['true']} → {confusion['predicted']}: {confusion['count']}")
