"""An ArchiHub plugin written from the backend's template (app/utils/templates/Plugin.py), with
the template's placeholders filled in. Valid."""
from flask import request
from flask_jwt_extended import jwt_required, get_jwt_identity
from celery import shared_task

from app.utils import PluginClass


class ExtendedPluginClass(PluginClass):
    def __init__(self, path, import_name, name, description, version, author, type, settings,
                 actions=None, capabilities=None, **kwargs):
        super().__init__(path, __file__, import_name, name, description, version, author, type,
                         settings, actions=actions, capabilities=capabilities, **kwargs)

    def add_routes(self):
        @self.route('/bulk', methods=['POST'])
        @jwt_required()
        def bulk_route():
            current_user = get_jwt_identity()
            body = request.get_json()
            errors = self.validate_fields(body, 'bulk')
            if errors:
                return errors
            task = self.bulk.delay(body, current_user)
            self.add_task_to_user(task.id, 'inventoryExport.bulk', current_user, 'file_download')
            return {'msg': 'Se agregó la tarea a la fila de procesamientos'}, 201

    @shared_task(ignore_result=False, name='inventoryExport.bulk')
    def bulk(body, user):
        return 'ok'


plugin_info = {
    'name': 'Inventario',
    'description': 'Exporta un inventario de los recursos seleccionados',
    'version': '0.1',
    'author': 'Example',
    'type': ['bulk'],
    'settings': {
        'settings_bulk': [
            {'type': 'instructions', 'title': 'Instrucciones', 'text': 'Selecciona los campos a exportar.'},
            {'type': 'checkbox', 'label': 'Incluir archivos', 'id': 'files', 'default': True, 'required': False},
        ]
    },
}
