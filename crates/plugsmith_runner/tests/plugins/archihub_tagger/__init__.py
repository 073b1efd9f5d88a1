from app.utils.PluginClass import PluginClass
from app.utils import DatabaseHandler
from celery import shared_task
from flask_jwt_extended import jwt_required, get_jwt_identity

mongodb = DatabaseHandler.DatabaseHandler()


class ExtendedPluginClass(PluginClass):
    def __init__(self, path, import_name, name, description, version, author, type, settings, actions=None,
                 capabilities=None, **kwargs):
        super().__init__(path, __file__, import_name, name, description, version, author, type, settings,
                         actions=actions, capabilities=capabilities, **kwargs)

    def add_routes(self):
        @self.route('/bulk', methods=['POST'])
        @jwt_required()
        def process_files():
            return {'msg': 'ok'}, 201

    @shared_task(ignore_result=False, name='archihub_tagger.bulk')
    def bulk(body, user):
        resources = list(mongodb.get_all_records('resources', {'post_type': body['post_type']}))
        for r in resources:
            title = r['metadata']['firstLevel']['title']
            mongodb.update_record('resources', {'_id': r['_id']},
                                  {'$set': {'metadata.firstLevel.tags': [w.lower() for w in title.split()]}})
        return 'tagged %d resources' % len(resources)


plugin_info = {
    'name': 'Tagger',
    'description': 'Tags resources from their titles',
    'version': '0.1',
    'author': 'plugsmith',
    'type': ['bulk'],
    'settings': {'settings_bulk': []},
}
