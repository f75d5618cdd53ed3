"""Spanish texts for demo cases, in the voice of the people who call line 127 or write in the
suggestion box. Placeholders: {centro}, {dias}, {semanas}, {medicamento}, {servicio}."""

from __future__ import annotations

import random
from collections.abc import Callable

MEDICAMENTOS = [
    "metformina",
    "losartán",
    "insulina NPH",
    "omeprazol",
    "enalapril",
    "salbutamol",
    "levotiroxina",
    "atorvastatina",
    "acetaminofén",
    "amlodipino",
]
SERVICIOS = [
    "consulta externa",
    "emergencia",
    "farmacia",
    "laboratorio clínico",
    "rayos X",
    "ginecología",
    "pediatría",
    "medicina interna",
    "odontología",
    "fisioterapia",
]
NOMBRES = [
    "María José",
    "José Antonio",
    "Ana Gabriela",
    "Carlos Ernesto",
    "Rosa Elena",
    "Juan Carlos",
    "Claudia Marisol",
    "Luis Alberto",
    "Sandra Beatriz",
    "Mario Ernesto",
    "Patricia Guadalupe",
    "Jorge Alberto",
    "Karla Vanessa",
    "Francisco Javier",
    "Gloria Estela",
    "Óscar Armando",
    "Verónica Ivette",
    "Raúl Antonio",
    "Marta Alicia",
    "Héctor Manuel",
]
APELLIDOS = [
    "Hernández",
    "Martínez",
    "López",
    "García",
    "Rodríguez",
    "Flores",
    "Ramírez",
    "Pérez",
    "Rivas",
    "Cruz",
    "Romero",
    "Mejía",
    "Guevara",
    "Alvarado",
    "Portillo",
    "Chávez",
    "Menjívar",
    "Quintanilla",
    "Aguilar",
    "Orellana",
]

# By limitante code: what a claim or complaint about that root cause sounds like.
COMPLAINTS = {
    "tiempo_espera": [
        "Llegué a las 6 de la mañana a {servicio} de {centro} y me atendieron hasta pasado el "
        "mediodía. Había muchas personas esperando y solo un médico atendiendo.",
        "Mi mamá es pensionada y esperó más de cuatro horas en {servicio}. No hay dónde sentarse "
        "y nadie informa cuánto falta.",
    ],
    "trato_personal": [
        "La persona de ventanilla en {centro} me habló de mala manera cuando pregunté por mi "
        "cita; pido que se le llame la atención.",
        "El vigilante no dejó pasar a mi esposo, que iba en silla de ruedas, y fue grosero con "
        "nosotros en {servicio}.",
    ],
    "falta_medicamento": [
        "Por {semanas} semanas no me han entregado {medicamento} en la farmacia de {centro}. "
        "Me dicen que no hay existencia y que vuelva la otra semana.",
        "Soy paciente crónico y no hay {medicamento}; tuve que comprarlo por mi cuenta.",
    ],
    "demora_citas": [
        "Me dieron cita para {servicio} en {centro} hasta dentro de {dias} días y mi "
        "problema no puede esperar tanto.",
        "Llamé varias veces para sacar cita de control y nunca contestan en {centro}.",
    ],
    "reprogramacion_citas": [
        "Me reprogramaron la cita de {servicio} por tercera vez sin avisarme; llegué y me "
        "dijeron que el especialista no estaba.",
    ],
    "atencion_medica": [
        "El médico de {servicio} no me examinó, solo me recetó acetaminofén y me despachó en "
        "cinco minutos.",
    ],
    "infraestructura": [
        "Los baños de {centro} están sucios y sin agua; el aire acondicionado de la sala de "
        "espera de {servicio} no funciona.",
    ],
    "tramites_administrativos": [
        "Fui tres veces a {centro} por mi constancia y cada vez me piden un requisito distinto.",
    ],
    "incapacidades": [
        "No me han pagado la incapacidad de {dias} días; el patrono dice que el Seguro no la ha "
        "procesado.",
    ],
    "examenes": [
        "Los resultados de laboratorio de {centro} tardan más de {dias} días y el médico no "
        "puede darme tratamiento sin ellos.",
    ],
    "cirugias": [
        "A mi papá le suspendieron la cirugía programada en {centro} por segunda vez; "
        "necesitamos una fecha segura.",
    ],
    "informacion": [
        "Nadie en {centro} supo decirme a dónde llevar la referencia para {servicio}.",
    ],
}
SUGGESTIONS = [
    "Sugiero que en {centro} se habilite una fila preferencial para adultos mayores en {servicio}.",
    "Sería bueno que enviaran un mensaje de texto para recordar las citas de {servicio}.",
    "Propongo que la farmacia de {centro} abra también los sábados.",
    "Pongan más sillas en la sala de espera de {servicio} de {centro}.",
]
COMPLIMENTS = [
    "Quiero felicitar al personal de {servicio} de {centro} por la atención tan amable que "
    "recibió mi hija.",
    "Excelente atención de las enfermeras de {centro}; muy pendientes de los pacientes.",
]
DENUNCIAS = [
    "Denuncio que en {centro} una persona ofrece conseguir citas de especialista a cambio de "
    "dinero.",
    "En la farmacia de {centro} están despachando {medicamento} a personas que no son "
    "derechohabientes.",
]
PETITIONS = [
    "Solicito que me trasladen el expediente a {centro}, porque me cambié de domicilio.",
    "Pido que se revise mi caso para que me asignen cita de {servicio} lo antes posible.",
]
INQUIRIES = {
    "portafolio_servicios": (
        "¿Qué servicios brinda {centro}?",
        "Se le informó la cartera de servicios del centro.",
    ),
    "horarios": (
        "¿A qué hora abre la farmacia de {centro}?",
        "Se le informó el horario de atención.",
    ),
    "requisitos": (
        "¿Qué necesito para inscribir a mi hijo como beneficiario?",
        "Se le indicaron los requisitos y documentos.",
    ),
    "citas": (
        "Quiero confirmar mi cita de {servicio}.",
        "Se confirmó la cita y se le recordó llegar 30 minutos antes.",
    ),
    "incapacidades": (
        "¿Cómo retiro mi certificado de incapacidad?",
        "Se le explicó el trámite de certificado de incapacidad.",
    ),
    "pensiones": (
        "¿Cuándo debo firmar la sobrevivencia?",
        "Se le informó el calendario de firma de sobrevivencia.",
    ),
    "afiliacion": (
        "¿Cómo me afilio si soy trabajador independiente?",
        "Se le explicó el régimen de afiliación.",
    ),
    "medicamentos": (
        "¿Cómo me inscribo en la entrega domiciliar de medicamentos?",
        "Se le informó el programa de entrega domiciliar.",
    ),
    "ubicacion_centros": ("¿Dónde queda {centro}?", "Se le dio la dirección del centro."),
    "cotizaciones": (
        "Necesito una constancia de cotizaciones.",
        "Se le indicó cómo solicitar la constancia en línea.",
    ),
    "reintegros": (
        "¿Cómo solicito un reintegro de gastos médicos?",
        "Se le explicó el trámite de reintegro.",
    ),
    "seguimiento_caso": (
        "Llamo para saber cómo va mi reclamo.",
        "Se le informó el estado de su caso.",
    ),
    "otro": ("Consulta general sobre el Seguro Social.", "Se orientó a la persona."),
}
ANSWERS = [
    "Se coordinó con la jefatura de {centro}; el centro informa que se tomaron medidas y se "
    "contactó a la persona usuaria.",
    "La dirección de {centro} respondió que se reforzó el personal de {servicio}. Se informó "
    "a la persona usuaria por teléfono.",
    "Se gestionó la entrega del medicamento y la persona usuaria lo recibió.",
]


def fill(rng: random.Random, template: str, centre_name: str | None) -> str:
    """A text above with its placeholders drawn at random."""
    return template.format(
        centro=centre_name or "el centro de atención",
        dias=rng.choice([15, 30, 45, 60, 90]),
        semanas=rng.randint(2, 6),
        medicamento=rng.choice(MEDICAMENTOS),
        servicio=rng.choice(SERVICIOS),
    )


def opinion_template(
    rng: random.Random, type_code: str, pick_limitante: Callable[[], str]
) -> tuple[str | None, str]:
    """(limitante code or None, text template) for an opinion of `type_code`: claims and
    complaints draw their limitante first, and their text follows from it."""
    if type_code in ("reclamo", "queja"):
        limitante_code = pick_limitante()
        return limitante_code, rng.choice(COMPLAINTS[limitante_code])
    others = {
        "sugerencia": SUGGESTIONS,
        "felicitacion": COMPLIMENTS,
        "denuncia": DENUNCIAS,
        "peticion": PETITIONS,
    }
    return None, rng.choice(others[type_code])
