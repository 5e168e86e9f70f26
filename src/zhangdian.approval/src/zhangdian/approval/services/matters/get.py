"""GET @matters: the published matters with filters, batched."""

from plone import api
from plone.restapi.batching import HypermediaBatch
from plone.restapi.services import Service
from zhangdian.approval.body import check_batching
from zhangdian.approval.casework.public import published_matters
from zhangdian.approval.content.matter_list import IMatterList
from zhangdian.approval.vocabularies import RISK_LEVEL_TITLES
from zope.i18n import translate


def matter_summary(brain, categories, request):
    """The JSON summary of one matter brain."""
    category = categories.get(brain.matter_category, {})
    return {
        "@id": brain.getURL(),
        "@type": "Matter",
        "UID": brain.UID,
        "code": brain.matter_code,
        "title": brain.Title,
        "description": brain.Description,
        "category": {"id": brain.matter_category, "title": category.get("title")},
        "statutory_days": brain.statutory_days,
        "promised_days": brain.promised_days,
        "on_the_spot": brain.promised_days == 0,
        "independent_approval": bool(brain.independent_approval),
        "fee": brain.fee,
        "review_state": brain.review_state,
    }


class MattersGet(Service):
    """The published matter list (事项清单), filtered by q, category and on_the_spot."""

    def reply(self):
        form = self.request.form
        check_batching(self.request)
        matter_list = self._matter_list()
        if matter_list is None:
            return {"@id": f"{self.context.absolute_url()}/@matters", "items": [], "items_total": 0}
        categories = {
            category.getId(): {"title": category.Title()} for category in matter_list.objectValues()
        }
        brains = published_matters(
            matter_list,
            text=str(form.get("q", "") or ""),
            category=str(form.get("category", "") or "") or None,
            on_the_spot=str(form.get("on_the_spot", "")).lower() in ("1", "true", "yes"),
        )
        batch = HypermediaBatch(self.request, brains)
        result = {
            "@id": batch.canonical_url,
            "items_total": batch.items_total,
            "categories": [
                {"id": key, "title": value["title"]} for key, value in categories.items()
            ],
            "risk_levels": {
                key: translate(title, context=self.request)
                for key, title in RISK_LEVEL_TITLES.items()
            },
            "items": [matter_summary(brain, categories, self.request) for brain in batch],
        }
        links = batch.links
        if links:
            result["batching"] = links
        return result

    def _matter_list(self):
        brains = api.content.find(object_provides=IMatterList.__identifier__, sort_limit=1)
        return brains[0].getObject() if brains else None
