"""The API's request parser: every JSON body is read by the one guarded loader."""

from __future__ import annotations

import typing

import flask
import marshmallow as ma
from flask_smorest import Blueprint
from webargs import core
from webargs.flaskparser import FlaskParser, abort, is_json_request

from ..services.validation import FieldError, load_json


class GuardedParser(FlaskParser):
    """webargs' Flask parser, reading JSON with `load_json` instead of json.loads.

    json.loads raises RecursionError on deep nesting and ValueError on an integer of
    thousands of digits, neither of which webargs expects (a 500), and passes lone
    surrogates through to the database. A refused body is a 400 whose detail says why.
    """

    def load_json(self, req: flask.Request, schema: ma.Schema) -> typing.Any:
        if not is_json_request(req):
            return core.missing
        data = req.get_data(cache=True)
        if not data:
            return core.missing
        try:
            return load_json(data)
        except FieldError as error:
            abort(400, exc=error, messages={"json": [str(error)]})


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint whose `arguments` read bodies with GuardedParser."""

    ARGUMENTS_PARSER = GuardedParser()
