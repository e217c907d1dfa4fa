"""The starting task catalogue: artisanal cobalt and copper mining, trade, farm and factory work.

Typical hazards are what the visit form pre-ticks; the facilitator confirms what they saw.
"""

from django.db import migrations

TASKS = [
    # code, English, French, sector, typical hazards
    ("digging", "Digging in pits or trenches", "Creuser dans des puits ou tranchées", "mining", ["dangerous_tools", "heavy_loads", "dust_or_chemicals"]),
    ("underground_work", "Working underground in tunnels", "Travailler sous terre dans les galeries", "mining", ["underground", "dust_or_chemicals", "heights"]),
    ("washing_ore", "Washing ore", "Laver les minerais", "mining", ["dust_or_chemicals", "extreme_temperature"]),
    ("sorting_ore", "Sorting and picking ore", "Trier les minerais", "mining", ["dust_or_chemicals"]),
    ("carrying_sacks", "Carrying sacks of ore", "Porter des sacs de minerais", "mining", ["heavy_loads"]),
    ("crushing_ore", "Crushing or grinding ore", "Concasser ou broyer les minerais", "mining", ["dangerous_tools", "dust_or_chemicals"]),
    ("guarding_site", "Guarding a site or equipment", "Garder un site ou du matériel", "mining", ["night_work"]),
    ("selling_at_depot", "Selling ore at trading depots", "Vendre des minerais aux dépôts", "trade", []),
    ("selling_to_miners", "Selling food or goods to miners", "Vendre de la nourriture ou des biens aux creuseurs", "trade", []),
    ("transporting_goods", "Transporting goods (bicycle, cart)", "Transporter des marchandises (vélo, chariot)", "trade", ["heavy_loads"]),
    ("farm_field_work", "Field work on a farm", "Travaux des champs", "agriculture", ["dangerous_tools", "extreme_temperature"]),
    ("farm_pesticides", "Spraying pesticides or fertiliser", "Épandre des pesticides ou engrais", "agriculture", ["dust_or_chemicals"]),
    ("herding", "Herding animals", "Garder des animaux", "agriculture", []),
    ("charcoal_making", "Making charcoal or cutting wood", "Fabriquer du charbon ou couper du bois", "agriculture", ["dangerous_tools", "extreme_temperature"]),
    ("brick_making", "Making bricks", "Fabriquer des briques", "manufacturing", ["heavy_loads", "extreme_temperature"]),
    ("factory_work", "Work in a factory or workshop", "Travail en usine ou atelier", "manufacturing", ["dangerous_tools"]),
    ("domestic_work", "Domestic work for another household", "Travail domestique chez un autre ménage", "domestic_service", []),
    ("market_vending", "Selling at a market or in the street", "Vendre au marché ou dans la rue", "trade", []),
    ("restaurant_work", "Work in a restaurant or bar", "Travail dans un restaurant ou un bar", "services", ["night_work"]),
    ("other_work", "Other paid or family work", "Autre travail, payé ou familial", "other", []),
]


def load(apps, schema_editor):
    Task = apps.get_model("monitoring", "Task")
    for position, (code, name_en, name_fr, sector, hazards) in enumerate(TASKS):
        Task.objects.update_or_create(
            code=code,
            defaults={
                "name_en": name_en,
                "name_fr": name_fr,
                "sector": sector,
                "typical_hazards": hazards,
                "position": position,
            },
        )


def unload(apps, schema_editor):
    apps.get_model("monitoring", "Task").objects.filter(code__in=[t[0] for t in TASKS]).delete()


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_households_children_visits")]
    operations = [migrations.RunPython(load, unload)]
