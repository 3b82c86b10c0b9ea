"""What the tool can answer besides the reference's eight recipes: memory and fit, the serving plan, the launch
command, context extension, how to measure γ, and comparisons between named models.

Each capability is declared exactly like a recipe (:class:`tafagent.core.recipes.base.Recipe`: typed parameters,
a ``compute`` that returns an audited :class:`~tafagent.core.audit.RecipeResult`, and an ``AskSpec``), so
``taf ask`` routes to it, fills and validates its parameters and answers from its chain with the same machinery.
They are kept out of the recipe registry: the TAF Card, Compare and ``taf recipe`` list the reference's recipes
only. The computations themselves live in their own modules (``core.memory``, ``core.memory.planner``,
``core.launch``, ``core.extend``); a capability only turns one of them into a chain of steps.
"""
