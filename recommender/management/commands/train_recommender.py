from pathlib import Path

import pandas as pd
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from activity.selectors import EXPORT_COLUMNS, activities_for_export
from crawler.raw import RawDataError, read_raw_activities
from activity.models import Activity
from recommender.evaluation import LabelledFileError, read_labelled_file
from recommender.model_store import clear_cache
from recommender.similar import rebuild_similar_activities
from recommender.training import DEFAULT_ALPHA, DEFAULT_TOKENIZER, TOKENIZERS, TrainingDataError, train_and_export

DEFAULT_CHECK_SET = settings.BASE_DIR / "datasets" / "check" / "activities_check.csv"


class Command(BaseCommand):
    help = "활동 카테고리 분류 모델을 학습·평가하고 models/에 내보냅니다."

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--from-db", action="store_true", help="데이터베이스의 사용 중인 활동으로 학습 (기본)")
        source.add_argument("--csv", help="export_activities 또는 datasets/activities.csv 형식의 CSV로 학습")
        parser.add_argument("--out", default=str(Path(settings.RECOMMENDER_MODEL_PATH).parent), help="결과 폴더")
        parser.add_argument("--tokenizer", choices=sorted(TOKENIZERS), default=DEFAULT_TOKENIZER)
        parser.add_argument("--alpha", type=float, default=DEFAULT_ALPHA, help="MultinomialNB 평활 계수")
        parser.add_argument("--check-set", default=str(DEFAULT_CHECK_SET), help="학습에 쓰지 않는 검증용 CSV ('' 이면 생략)")
        parser.add_argument("--no-compare", action="store_true", help="토크나이저 비교를 건너뜁니다")
        parser.add_argument(
            "--real-text", action="append", metavar="PATH",
            help="점수만 매길 실제 텍스트 파일 (category_id, text; 여러 번 지정 가능, 학습에는 쓰지 않음). "
                 "기본: RECOMMENDER_REAL_TEXT_FILES 중 있는 파일",
        )
        parser.add_argument("--no-real-text", action="store_true", help="실제 텍스트 평가를 건너뜁니다")

    def handle(self, *args, **options):
        frame = self._rows(options)
        check = None
        if options["check_set"]:
            try:
                check = read_raw_activities(options["check_set"])
            except RawDataError as error:
                raise CommandError(f"검증용 데이터 오류: {error}") from error
        real_text = self._real_text(options)
        total = 3 if options["no_compare"] else 4
        stages = iter(range(1, total + 1))

        def stage(message):
            self.stdout.write(f"[{next(stages, total)}/{total}] {message}…")

        try:
            report = train_and_export(
                frame, options["out"], tokenizer=options["tokenizer"], alpha=options["alpha"],
                check_frame=check, compare=not options["no_compare"], real_text=real_text, stage=stage,
            )
        except TrainingDataError as error:
            raise CommandError(f"학습 데이터 오류, 모델을 바꾸지 않았습니다: {error}") from error
        clear_cache()
        held_out, meta = report.metadata["held_out"], report.metadata
        self.stdout.write(self.style.SUCCESS(
            f"모델 {meta['version']}: {meta['training_rows']}행, 평가(20%) 정확도 {held_out['accuracy']:.4f}, "
            f"macro F1 {held_out['f1_macro']:.4f}"
        ))
        if meta["check_set"]:
            self.stdout.write(
                f"검증 세트 정확도 {meta['check_set']['accuracy']:.4f}, macro F1 {meta['check_set']['f1_macro']:.4f}"
            )
        for name, figures in meta["real_text"].items():
            self.stdout.write(
                f"실제 텍스트 {name}: macro F1 {figures['f1_macro']:.4f}, 정확도 {figures['accuracy']:.4f}, "
                f"top-2 {figures['top2']:.4f}"
            )
        for name, result in meta["tokenizer_comparison"].items():
            line = f"  {name:>10}: 평가 macro F1 {result['held_out']['f1_macro']:.4f}"
            if "check_set" in result:
                line += f", 검증 macro F1 {result['check_set']['f1_macro']:.4f}"
            for file_name, figures in result.get("real_text", {}).items():
                line += f", {file_name} F1 {figures['f1_macro']:.4f}·top-2 {figures['top2']:.4f}"
            self.stdout.write(line)
        self.stdout.write(f"파일: {report.model_path}, {report.metrics_path}, " + ", ".join(map(str, report.picture_paths)))
        if Path(report.model_path).resolve() == Path(settings.RECOMMENDER_MODEL_PATH).resolve():
            try:
                has_activities = Activity.objects.exists()
            except DatabaseError:  # no database set up yet (e.g. training from a CSV on a new machine)
                has_activities = False
            if has_activities:
                rebuild_similar_activities(show_progress=True)
                self.stdout.write("비슷한 활동 색인을 새 모델로 다시 만들었습니다.")
            self.stdout.write("회원 모델은 처음 쓸 때 새 모델로 다시 만들어집니다 (한 번에: python manage.py rebuild_member_models).")

    def _real_text(self, options) -> list:
        if options["no_real_text"]:
            return []
        if options["real_text"]:
            paths = [Path(path) for path in options["real_text"]]
        else:  # the defaults are optional: a machine without the shared files trains all the same
            paths = [path for path in settings.RECOMMENDER_REAL_TEXT_FILES if path.exists()]
        try:
            return [read_labelled_file(path) for path in paths]
        except LabelledFileError as error:
            raise CommandError(f"실제 텍스트 파일 오류, 모델을 바꾸지 않았습니다: {error}") from error

    def _rows(self, options) -> pd.DataFrame:
        if options["csv"]:
            try:
                frame = pd.read_csv(options["csv"], dtype=str, keep_default_na=False, encoding="utf-8-sig")
            except (OSError, ValueError) as error:
                raise CommandError(f"{options['csv']}을(를) 읽을 수 없습니다: {error}") from error
            if "status" in frame.columns:
                frame = frame[frame["status"].isin(["1", "True", "true"])]
            return frame
        rows = activities_for_export()
        if not rows:
            raise CommandError("데이터베이스에 사용 중인 활동이 없습니다. 먼저 `python manage.py load_datasets`를 실행하세요.")
        return pd.DataFrame(rows, columns=list(EXPORT_COLUMNS))
