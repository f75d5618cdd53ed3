"""The staff's pages of studies, under /estudios/: design, studies, fieldwork, review
(enlace/surveys/views/) and results (enlace/surveys/urls_results.py)."""

from django.urls import URLPattern, URLResolver, include, path

from enlace.surveys.views import design, fieldwork, studies

app_name = "surveys"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", studies.study_list, name="studies"),
    path("nuevo/", studies.study_new, name="study_new"),
    path("<int:pk>/", studies.study_detail, name="study"),
    path("<int:pk>/editar/", studies.study_edit, name="study_edit"),
    path("<int:pk>/paso/", studies.study_step, name="study_step"),
    path("<int:pk>/entrevista/", fieldwork.interview_start, name="interview_start"),
    path("<int:pk>/revision/", fieldwork.review_queue, name="review"),
    path("respuestas/<int:pk>/", fieldwork.response_page, name="response"),
    path(
        "respuestas/<int:pk>/respuesta/<int:question_pk>/",
        fieldwork.answer_save,
        name="answer_save",
    ),
    path("respuestas/<int:pk>/fotos/<int:answer_pk>/", fieldwork.response_photo, name="photo"),
    path("respuestas/<int:pk>/enviar/", fieldwork.response_finish, name="response_finish"),
    path("respuestas/<int:pk>/revisar/", fieldwork.response_review, name="response_review"),
    path("respuestas/<int:pk>/hallazgos/", fieldwork.finding_add, name="finding_add"),
    path(
        "respuestas/<int:pk>/hallazgos/<int:finding_pk>/",
        fieldwork.finding_check,
        name="finding_check",
    ),
    path("instrumentos/", design.instrument_list, name="instruments"),
    path("instrumentos/<int:pk>/", design.instrument_detail, name="instrument"),
    path("instrumentos/<int:pk>/nueva-version/", design.version_new, name="version_new"),
    path("versiones/<int:pk>/", design.version_detail, name="version"),
    path("versiones/<int:pk>/vista-previa/", design.version_preview, name="preview"),
    path("versiones/<int:pk>/publicar/", design.version_publish, name="publish"),
    path("versiones/<int:pk>/secciones/", design.section_add, name="section_add"),
    path(
        "versiones/<int:pk>/secciones/<int:section_pk>/borrar/",
        design.section_delete,
        name="section_delete",
    ),
    path("versiones/<int:pk>/preguntas/nueva/", design.question_edit, name="question_new"),
    path("versiones/<int:pk>/preguntas/<int:question_pk>/", design.question_edit, name="question"),
    path(
        "versiones/<int:pk>/preguntas/<int:question_pk>/paso/",
        design.question_action,
        name="question_action",
    ),
    path("", include("enlace.surveys.urls_results")),
]
