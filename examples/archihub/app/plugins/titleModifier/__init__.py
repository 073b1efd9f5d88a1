"""Modelled on Archihub-App/titleModifier (the tutorial plugin), with its real plugin_info.
Broken like the original: the old __init__ signature without **kwargs raises TypeError when the
backend lists settings (it passes isTask=True), and the task goes to the `low` queue."""
from flask import request
from flask_jwt_extended import jwt_required, get_jwt_identity
from celery import shared_task

from app.utils import PluginClass


class ExtendedPluginClass(PluginClass):
    def __init__(self, path, import_name, name, description, version, author, type, settings):
        super().__init__(path, __file__, import_name, name, description, version, author, type, settings)

    def add_routes(self):
        @self.route('/bulk', methods=['POST'])
        @jwt_required()
        def process_files():
            current_user = get_jwt_identity()
            body = request.get_json()
            self.validate_fields(body, 'bulk')
            task = self.bulk.apply_async(args=[body, current_user], queue='low')
            self.add_task_to_user(task.id, 'titleModifier.bulk', current_user, 'msg')
            return {'msg': 'Se agregó la tarea a la fila de procesamientos'}, 201

    @shared_task(ignore_result=False, name='titleModifier.bulk')
    def bulk(body, user):
        return 'ok'


plugin_info = {   'name': 'Plugin para modificar títulos de recursos usando la API de OpenAI',
    'description': 'Plugin para modificar títulos de recursos usando la API de OpenAI',
    'version': '0.1',
    'author': 'BITSOL SAS',
    'type': ['bulk'],
    'settings': {   'settings_bulk': [   {   'type': 'instructions',
                                             'title': 'Instrucciones',
                                             'text': 'Este plugin permite modificar títulos de '
                                                     'recursos usando la API de OpenAI. Para '
                                                     'usarlo, selecciona los archivos que quieres '
                                                     'modificar y configura las opciones del '
                                                     'plugin.'},
                                         {   'type': 'select',
                                             'label': 'Modelo',
                                             'id': 'model',
                                             'default': 'gpt-3.5-turbo',
                                             'options': [   {   'value': 'gpt-3.5-turbo',
                                                                'label': 'GPT 3.5 Turbo'},
                                                            {'value': 'gpt-4o', 'label': 'GPT 4o'},
                                                            {   'value': 'gpt-4o-mini',
                                                                'label': 'GPT 4o Mini'},
                                                            {   'value': 'gpt-4o-turbo',
                                                                'label': 'GPT 4o Turbo'}],
                                             'required': False},
                                         {   'type': 'text',
                                             'label': 'Instrucciones',
                                             'id': 'instructions',
                                             'default': 'Tengo una herramienta de gestión '
                                                        'documental con varios recursos y quiero '
                                                        'que me ayudes a reescribir el título de '
                                                        'esos recursos para que sean más '
                                                        'atractivos y llamen la atención de los '
                                                        'usuarios usando pocas palabras. Además, '
                                                        'debe estar en español.',
                                             'required': True},
                                         {   'type': 'text',
                                             'label': 'Comando para GPT',
                                             'id': 'input',
                                             'default': 'Por favor, reescribe el siguiente título '
                                                        'de un recurso:',
                                             'required': True}]}}
